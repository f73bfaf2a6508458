"""Skill that volatility cannot fake: AUC per barrier, direction given a barrier was hit, a volatility-only reference."""
from __future__ import annotations

import math

import numpy as np

from engine.evaluation import auc

VOL_REFERENCE = {"component": "atr_pct"}     # the volatility-only model: one ATR% column, sign set on train


def vol_reference(stream, idx: np.ndarray) -> np.ndarray:
    """ATR% of the bar at each decision row, from its own feature instance (whatever the config selects)."""
    from engine.features import FeatureSet
    X, _ = FeatureSet.from_config({"atr_ref": VOL_REFERENCE}).batch(stream)
    return X[np.asarray(idx, np.int64), 0]


def vol_only_auc(v_train: np.ndarray, y_train: np.ndarray, v_test: np.ndarray, y_test: np.ndarray) -> float:
    """AUC on test of the volatility column alone, its direction chosen on the training rows."""
    def filled(v, med):
        v = np.asarray(v, float)
        return np.where(np.isfinite(v), v, med)
    ok = np.isfinite(np.asarray(v_train, float))
    if not ok.any():
        return math.nan
    med = float(np.median(np.asarray(v_train, float)[ok]))
    sign = 1.0 if not (auc(y_train, filled(v_train, med)) < 0.5) else -1.0
    return auc(y_test, sign * filled(v_test, med))


def skill_columns(ds, train: np.ndarray, test: np.ndarray, p: np.ndarray) -> dict:
    """auc_up / auc_stop (P(up) ranked against each barrier), auc_direction (up vs stop among rows that
    hit one) and auc_volatility_ref; NaN where the label has no barrier outcome."""
    out = {"auc_up": math.nan, "auc_stop": math.nan, "auc_direction": math.nan, "auc_volatility_ref": math.nan}
    raw = getattr(ds, "outcome", None)
    if raw is not None:
        r = raw[test]
        out["auc_up"] = auc((r == 1.0).astype(int), p)
        out["auc_stop"] = auc((r == 0.0).astype(int), p)
        hit = (r == 1.0) | (r == 0.0)
        out["auc_direction"] = auc((r[hit] == 1.0).astype(int), p[hit]) if hit.any() else math.nan
    vref = getattr(ds, "vol_ref", None)
    if vref is not None and len(train):
        out["auc_volatility_ref"] = vol_only_auc(vref[train], ds.y[train], vref[test], ds.y[test])
    return out
