"""Regime tower: P(up) from regime features only (trend, volatility, volume, Hurst) via a logistic map."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from pydantic import Field

from components.types.signature import SignatureMismatch, compare_signatures, make_signature, read_signature

from components.types.kinds import Tower
from components.tower.columns import weighted_columns
from registry import Params, register


@register("tower", "regime")
class RegimeTower(Tower):
    """Logistic score over named regime columns; prior weights until `fit` learns them on history.

    Inputs are FeatureSet column names matched by prefix (`trend_regime` matches `trend_regime` and
    `trend_regime.above`), or capabilities when no column carries the name (`hurst` finds the feature
    providing it under any id), so the tower follows whatever columns the feature set provides. With no
    training the prior weights apply; `fit` replaces them with an L2 logistic regression on the same
    columns, shrunk by `C` (small C keeps it close to a coin flip, which is what regimes deserve).
    `save` writes the bound columns and weights (fitted or prior) with a signature; `model_path` restores
    them, so a replay runs the weights the fit learned, not the prior.
    """
    outputs = ("p_up",)

    class Params(Params):
        inputs: dict[str, float] = Field(
            default_factory=lambda: {"trend_regime": 0.5, "vol_regime": -0.2, "volume_regime": 0.1, "hurst": 0.0},
            description="column-name prefix -> prior logistic weight")
        bias: float = 0.0
        C: float = Field(0.1, gt=0, description="inverse L2 strength when fitted")
        min_columns: int = Field(1, ge=1, description="refuse to run with fewer matched columns")
        model_path: str | None = Field(None, description="saved weights folder to load (scalp train writes one)")

    def __init__(self, p: "RegimeTower.Params") -> None:
        self.p = p
        self.cols: np.ndarray = np.zeros(0, np.int64)
        self.w: np.ndarray = np.zeros(0)
        self.b = p.bias
        self.feature_names = None
        self._fitted = False
        self.signature: dict | None = None
        self._fit_info: dict = {}
        if p.model_path:
            self._restore(p.model_path)

    def bind(self, feature_names: list[str]) -> None:
        if self._fitted and list(feature_names) == self.feature_names:
            return          # same columns: keep the learned weights (a re-bind must not restore the prior)
        if self.p.model_path:   # saved weights belong to their columns: other columns are a config error
            expected = {"feature_names": list(feature_names)}
            raise SignatureMismatch(expected, self.signature or {}, "towers.regime.model_path")
        self._fitted = False
        self.feature_names = list(feature_names)
        self.cols, self.w = weighted_columns(feature_names, self.p.inputs, "towers.regime.inputs", self.p.min_columns,
                                             self.providers)

    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], **kw) -> "RegimeTower":
        from sklearn.linear_model import LogisticRegression
        self.bind(feature_names)
        self._fit_info = {"span_ms": kw.get("span_ms"), "label": kw.get("label", "")}
        Z = np.nan_to_num(np.asarray(X, float)[:, self.cols], nan=0.0, posinf=0.0, neginf=0.0)
        y = np.asarray(y).astype(int)
        if len(np.unique(y)) < 2:  # one class only: nothing to learn, keep the prior
            return self
        model = LogisticRegression(C=self.p.C, max_iter=500).fit(Z, y)
        self.w, self.b = model.coef_[0].astype(float), float(model.intercept_[0])
        self._fitted = True
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.feature_names is None:
            raise RuntimeError("regime tower used before bind(feature_names)")
        Z = np.nan_to_num(np.asarray(X, float)[:, self.cols], nan=0.0, posinf=0.0, neginf=0.0)
        return (1.0 / (1.0 + np.exp(-(Z @ self.w + self.b)))).reshape(-1, 1)

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        z = self.b
        for c, w in zip(self.cols, self.w):
            v = float(x[c])
            if math.isfinite(v):
                z += w * v
        return np.array([1.0 / (1.0 + math.exp(-z))])

    # -- save / load ---------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """A folder: signature.json + weights.json (columns, weights, bias; floats round-trip exactly)."""
        if self.feature_names is None:
            raise RuntimeError("towers.regime: nothing to save before fit or bind")
        sig = make_signature("regime", self.p, self.feature_names, self._fit_info.get("span_ms"),
                             self._fit_info.get("label") or "")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "signature.json").write_text(json.dumps(sig, indent=1, sort_keys=True))
        state = {"cols": [int(c) for c in self.cols], "w": [float(v) for v in self.w], "b": float(self.b),
                 "fitted": self._fitted}
        (path / "weights.json").write_text(json.dumps(state))
        self.signature = sig
        return path

    def _restore(self, path: str | Path) -> None:
        sig = read_signature(path)
        expected = {"component": "regime", "params_hash": make_signature("regime", self.p, [])["params_hash"]}
        if compare_signatures(expected, sig):
            raise SignatureMismatch(expected, sig, "towers.regime.model_path")
        state = json.loads((Path(path) / "weights.json").read_text())
        self.signature, self.feature_names = sig, list(sig["feature_names"])
        self.cols, self.w = np.asarray(state["cols"], np.int64), np.asarray(state["w"], float)
        self.b, self._fitted = float(state["b"]), True     # restored weights: never replaced by the prior

    @classmethod
    def load(cls, path: str | Path, **overrides) -> "RegimeTower":
        return cls(cls.Params(**{**read_signature(path)["params"], **overrides, "model_path": str(path)}))
