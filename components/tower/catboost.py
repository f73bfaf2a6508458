"""CatBoost tower: gradient-boosted oblivious trees, isotonic-calibrated on a LATER held-out fold; P(up)."""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from components.tower import _oblivious
from components.types.signature import (SignatureMismatch, compare_signatures, load_model, make_signature,
                                        save_model)
from components.types.kinds import Tower
from registry import Params, register

LIBRARIES = ("catboost", "sklearn", "numpy")


@register("tower", "catboost")
class CatBoostTower(Tower):
    """CatBoostClassifier + isotonic calibration fitted only on the calibration fold (never training rows).

    The calibration fold must follow the training fold in time (the walk-forward builds it after an
    embargo); calibrating on the model's own training predictions would learn its over-confidence on
    seen rows and leak. `step` evaluates the exported trees in a numba kernel (no CatBoost call per
    decision) and is tested equal to CatBoost's own prediction.
    """
    outputs = ("p_up",)
    trainable = True

    class Params(Params):
        iterations: int = Field(500, ge=1, le=20_000)
        depth: int = Field(6, ge=1, le=12)
        learning_rate: float = Field(0.08, gt=0, le=1)
        rsm: float = Field(0.85, gt=0, le=1, description="feature fraction per split (random subspace)")
        boosting_type: Literal["Ordered", "Plain"] = Field(
            "Ordered", description="Ordered boosting: CatBoost's permutation scheme against target leakage")
        bootstrap_type: Literal["Bayesian", "Bernoulli", "MVS", "No"] = "Bayesian"
        bagging_temperature: float = Field(1.0, ge=0)
        l2_leaf_reg: float = Field(3.0, ge=0)
        auto_class_weights: Literal["None", "Balanced", "SqrtBalanced"] = "None"
        random_seed: int = 42
        thread_count: int = Field(1, ge=1, le=64, description="CPU threads (runtime only; not in the hash)")
        calibration: Literal["isotonic", "none"] = "isotonic"
        min_calibration_rows: int = Field(30, ge=2, description="fewer rows (or one class): no calibration")
        model_path: str | None = Field(None, description="load a saved model folder (scalp train writes one)")

    def __init__(self, p: "CatBoostTower.Params") -> None:
        self.p = p
        self.model: Any = None
        self.iso_x: np.ndarray | None = None   # isotonic knots (raw prob -> calibrated), np.interp form
        self.iso_y: np.ndarray | None = None
        self.calibration_ts_ms: np.ndarray = np.zeros(0, np.int64)
        self.cal_curve: dict = {}
        self.trees: _oblivious.Trees | None = None
        self.signature: dict | None = None
        self.feature_names = None
        if p.model_path:
            self._restore(p.model_path)

    # -- training ----------------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], X_cal: np.ndarray | None = None,
            y_cal: np.ndarray | None = None, cal_ts_ms: np.ndarray | None = None,
            span_ms: tuple[int, int] | None = None, label: str = "", **kw: Any) -> "CatBoostTower":
        from catboost import CatBoostClassifier
        X = np.asarray(X, np.float64)
        y = np.asarray(y).astype(int)
        if X.shape[1] != len(feature_names):
            raise ValueError(f"towers.catboost: X has {X.shape[1]} columns but {len(feature_names)} names")
        p = self.p
        extra = {"bagging_temperature": p.bagging_temperature} if p.bootstrap_type == "Bayesian" else {}
        self.model = CatBoostClassifier(
            iterations=p.iterations, depth=p.depth, learning_rate=p.learning_rate, rsm=p.rsm,
            boosting_type=p.boosting_type, bootstrap_type=p.bootstrap_type, l2_leaf_reg=p.l2_leaf_reg,
            auto_class_weights=None if p.auto_class_weights == "None" else p.auto_class_weights,
            random_seed=p.random_seed, thread_count=p.thread_count, allow_writing_files=False,
            verbose=False, **extra)
        if len(np.unique(y)) < 2:
            raise ValueError(f"towers.catboost: the training fold holds one class only ({len(y)} rows)")
        self.model.fit(X, y)
        self.feature_names = list(feature_names)
        self.trees = _oblivious.export(self.model)
        self._calibrate(X_cal, y_cal, cal_ts_ms)
        self.signature = make_signature("catboost", p, feature_names, span_ms, label, LIBRARIES)
        return self

    def _calibrate(self, X_cal, y_cal, cal_ts_ms) -> None:
        self.iso_x = self.iso_y = None
        self.calibration_ts_ms = np.zeros(0, np.int64)
        if self.p.calibration == "none" or X_cal is None or y_cal is None:
            return
        y_cal = np.asarray(y_cal).astype(int)
        if len(y_cal) < self.p.min_calibration_rows or len(np.unique(y_cal)) < 2:
            return
        from sklearn.isotonic import IsotonicRegression
        raw = self.raw_predict(np.asarray(X_cal, np.float64))
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y_cal)
        self.iso_x = np.asarray(iso.X_thresholds_, np.float64)
        self.iso_y = np.asarray(iso.y_thresholds_, np.float64)
        self.calibration_ts_ms = (np.asarray(cal_ts_ms, np.int64) if cal_ts_ms is not None
                                  else np.arange(len(y_cal), dtype=np.int64))
        p_cal = self._cal(raw)
        b = np.minimum((p_cal * 10).astype(int), 9)
        bins = [k for k in range(10) if (b == k).any()]
        self.cal_curve = {"p": [float(p_cal[b == k].mean()) for k in bins],
                          "observed": [float(y_cal[b == k].mean()) for k in bins],
                          "n": [int((b == k).sum()) for k in bins]}

    @property
    def calibrated(self) -> bool:
        return self.iso_x is not None

    # -- inference ---------------------------------------------------------------------------------
    def raw_predict(self, X: np.ndarray) -> np.ndarray:
        if self.model is None and self.trees is None:
            raise RuntimeError("towers.catboost: predict before fit (or set towers.catboost.model_path)")
        X = np.asarray(X, np.float64)
        if self.model is not None:
            return self.model.predict_proba(X)[:, 1]
        return _oblivious.predict_proba(self.trees, X)

    def _cal(self, raw):
        return np.interp(raw, self.iso_x, self.iso_y) if self.iso_x is not None else raw

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self._cal(self.raw_predict(X)), np.float64).reshape(-1, 1)

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        if self.trees is None:
            raise RuntimeError("towers.catboost: step before fit (or set towers.catboost.model_path)")
        raw = _oblivious.predict_one(self.trees, np.asarray(x, np.float64))
        return np.array([float(self._cal(raw))])

    def feature_importance(self) -> dict[str, float]:
        if self.model is None:
            return {}
        vals = self.model.get_feature_importance()
        return {n: float(v) for n, v in zip(self.feature_names or [], vals)}

    def report_sections(self) -> dict:
        """For the backtest report: reliability curve on the calibration fold, feature importance."""
        out: dict = {"feature_importance": self.feature_importance()}
        if self.cal_curve:
            out["calibration"] = self.cal_curve
        return out

    # -- signature, save / load --------------------------------------------------------------------
    def bind(self, feature_names: list[str]) -> None:
        if self.signature is not None:
            expected = {"feature_names": list(feature_names)}
            if compare_signatures(expected, self.signature):
                raise SignatureMismatch(expected, self.signature, "towers.catboost")
        self.feature_names = list(feature_names)

    def save(self, path) -> None:
        if self.signature is None:
            raise RuntimeError("towers.catboost: nothing to save before fit")
        state = {"trees": self.trees, "iso_x": self.iso_x, "iso_y": self.iso_y, "cal_curve": self.cal_curve,
                 "calibration_ts_ms": self.calibration_ts_ms, "model": self.model}
        save_model(path, self.signature, state)

    def _restore(self, path) -> None:
        sig, state = load_model(path)
        expected = {"component": "catboost", "params_hash": make_signature("catboost", self.p, [])["params_hash"]}
        if compare_signatures(expected, sig):
            raise SignatureMismatch(expected, sig, "towers.catboost.model_path")
        self.signature, self.trees, self.model = sig, state["trees"], state["model"]
        self.iso_x, self.iso_y = state["iso_x"], state["iso_y"]
        self.calibration_ts_ms = state["calibration_ts_ms"]
        self.cal_curve = state.get("cal_curve") or {}
        self.feature_names = list(sig["feature_names"])

    @classmethod
    def load(cls, path, **overrides: Any) -> "CatBoostTower":
        return cls(cls.Params(model_path=str(path), **overrides))

    @classmethod
    def expected_signature(cls, params: "CatBoostTower.Params", feature_names: list[str], label: str = "") -> dict:
        return make_signature("catboost", params, feature_names, None, label, LIBRARIES)
