"""HFP tower: gradient boosting on the last N one-second book/trade states -> P(mid up over the next seconds)."""
from __future__ import annotations

import functools
from collections import deque
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from components.tower._hfp_states import lag_stack
from components.types.signature import (SignatureMismatch, compare_signatures, load_model, make_signature,
                                        params_hash, save_model)
from components.types.kinds import Tower
from registry import Params, register


@functools.cache
def _controller():
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


@register("tower", "hfp")
class HfpTower(Tower):
    """High-frequency predictor: gradient boosting on the last 10 one-second book/trade states -> P(up 5 s).

    sklearn HistGradientBoosting over the last `lookback_s` rows of book/trade state columns, rows one
    second apart (decision_interval_ms=1000 in the engine loop; the research path builds them with
    components/tower/_hfp_states.second_states). The tower stacks the lags itself; `inputs` picks the
    state columns by name prefix (empty = every column). Label: next `horizon_s` mid direction
    (`direction_target`; threshold_pct 0 = sign of the change, the default because +-0.05 % in 5 s is
    rare on the short real tick sets). Needs trades + books."""
    needs: ClassVar[frozenset[str]] = frozenset({"trade", "book"})
    outputs: ClassVar[tuple[str, ...]] = ("p_up",)
    trainable: ClassVar[bool] = True
    needs_ticks: ClassVar[bool] = True

    class Params(Params):
        inputs: list[str] = Field(default_factory=list,
                                  description="state column name prefixes (e.g. spread_pct, ofi); [] = all columns")
        lookback_s: int = Field(10, ge=1, description="one-second states stacked per prediction")
        horizon_s: int = Field(5, ge=1, description="label horizon, seconds (walk-forward embargo >= this)")
        threshold_pct: float = Field(0.0, ge=0, description="0: sign of mid change; 0.05: +-0.05 % band")
        max_iter: int = Field(150, ge=1)
        learning_rate: float = Field(0.05, gt=0)
        max_leaf_nodes: int = Field(15, ge=2)
        min_samples_leaf: int = Field(20, ge=1)
        l2_regularization: float = Field(1.0, ge=0)
        seed: int = 42
        threads: int = Field(1, ge=1, description="OpenMP threads (1: no spin-waiting on shared cores)")
        model_path: str | None = Field(None, description="saved model folder to load instead of training")

    def __init__(self, p: "HfpTower.Params") -> None:
        self.p = p
        self.model = None
        self.feature_names: list[str] = []
        self.cols = np.zeros(0, np.int64)
        self.signature: dict[str, Any] = {}
        self._live: dict[str, deque] = {}

    def _select(self, feature_names: list[str]) -> np.ndarray:
        if not self.p.inputs:
            return np.arange(len(feature_names))
        cols = [i for i, n in enumerate(feature_names)
                if any(n == q or n.startswith(q + ".") for q in self.p.inputs)]
        if not cols:
            raise ValueError(f"towers.hfp.inputs: none of {self.p.inputs} among the features "
                             f"{', '.join(feature_names)}")
        return np.asarray(cols, np.int64)

    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], *, span_ms=None, label: str = "",
            **kw: Any) -> "HfpTower":
        """X: (n_seconds, n_columns) in time order; y: 1/0/NaN per second (NaN rows are skipped)."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        X = np.asarray(X, np.float64)
        y = np.asarray(y, np.float64).reshape(-1)
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}")
        self.feature_names, self.cols = list(feature_names), self._select(list(feature_names))
        Z = lag_stack(X[:, self.cols], self.p.lookback_s)
        keep = np.isfinite(y)
        keep[: self.p.lookback_s - 1] = False       # train only on full histories
        if keep.sum() < 2 or len(np.unique(y[keep])) < 2:
            raise ValueError(f"tower 'hfp': need both classes among labelled rows, got {int(keep.sum())} rows")
        model = HistGradientBoostingClassifier(
            max_iter=self.p.max_iter, learning_rate=self.p.learning_rate, max_leaf_nodes=self.p.max_leaf_nodes,
            min_samples_leaf=self.p.min_samples_leaf, l2_regularization=self.p.l2_regularization,
            early_stopping=False, random_state=self.p.seed)
        with self._threads():
            self.model = model.fit(Z[keep], y[keep].astype(int))
        self.signature = make_signature("hfp", self.p, self.feature_names, span_ms, label,
                                        libraries=("sklearn", "numpy"))
        self._live.clear()
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """(n, 1) P(up); rows with under `lookback_s` history use the model's missing-value branches."""
        self._ensure_ready()
        Z = lag_stack(np.asarray(X, np.float64)[:, self.cols], self.p.lookback_s)
        if not len(Z):
            return np.zeros((0, 1))
        with self._threads():
            return self.model.predict_proba(Z)[:, 1:2]

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        """Push one row of `context['market']` and predict from its last `lookback_s` rows."""
        self._ensure_ready()
        buf = self._live.setdefault((context or {}).get("market", ""), deque(maxlen=self.p.lookback_s))
        buf.append(np.asarray(x, np.float64).reshape(-1)[self.cols])
        width = len(self.cols)
        row = np.full(self.p.lookback_s * width, np.nan)
        row[(self.p.lookback_s - len(buf)) * width:] = np.concatenate(buf)
        with self._threads():
            return self.model.predict_proba(row[None, :])[0, 1:2]

    def reset(self, market: str | None = None) -> None:
        self._live.clear() if market is None else self._live.pop(market, None)

    def _threads(self):
        # Inspecting the loaded libraries is the slow part of threadpoolctl: done once per process.
        return _controller().limit(limits=self.p.threads, user_api="openmp")

    # --- persistence (components/types/signature.py helpers) --------------------------------------
    @classmethod
    def expected_signature(cls, params: Params, feature_names: list[str], label: str = "") -> dict:
        # its label is its own (horizon_s, threshold_pct: in the params hash), not the config's bar label
        return {"component": "hfp", "params_hash": params_hash(params), "feature_names": list(feature_names),
                "label": ""}

    def bind(self, feature_names: list[str]) -> None:
        """Engine calls this once: a trained/loaded model refuses other feature names or order."""
        self._ensure_ready(required=False)
        if self.model is not None and list(feature_names) != self.feature_names:
            raise SignatureMismatch(self.expected_signature(self.p, feature_names), self.signature, "towers.hfp")

    def _ensure_ready(self, required: bool = True) -> None:
        if self.model is None and self.p.model_path:
            other = HfpTower.load(self.p.model_path)
            expected = self.expected_signature(self.p, other.feature_names)
            if compare_signatures(expected, other.signature):
                raise SignatureMismatch(expected, other.signature, self.p.model_path)
            self.model, self.feature_names, self.cols = other.model, other.feature_names, other.cols
            self.signature = other.signature
        if required and self.model is None:
            raise RuntimeError("tower 'hfp' used before fit() or load() (set towers.hfp.model_path)")

    def save(self, path: str | Path) -> Path:
        self._ensure_ready()
        return save_model(path, self.signature, {"model": self.model, "cols": self.cols})

    @classmethod
    def load(cls, path: str | Path) -> "HfpTower":
        sig, state = load_model(path)
        if sig.get("component") != "hfp":
            raise SignatureMismatch({"component": "hfp"}, sig, str(path))
        obj = cls(cls.Params(**sig["params"]))
        obj.model, obj.cols, obj.signature = state["model"], np.asarray(state["cols"], np.int64), sig
        obj.feature_names = list(sig["feature_names"])
        return obj
