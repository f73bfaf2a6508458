"""Stacked fusion: logistic regression on out-of-sample tower outputs from real data."""
import math

import numpy as np
import pytest

import registry
from engine import evaluation as ev


def test_stacking_learns_to_trust_the_informative_tower(bundled_data):
    registry.load_all()
    from engine.walkforward import WalkForwardParams, build_dataset, feature_nodes, make_folds
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    ds = build_dataset(feed.load(["KRW-SOL"]), feature_nodes(None), registry.build("label", {"component": "barrier_hit"}))
    fold = make_folds(ds, WalkForwardParams(folds=1))[0]
    cb = registry.build("tower", {"component": "catboost", "iterations": 40, "boosting_type": "Plain"})
    cb.fit(ds.X[fold.train], ds.y[fold.train], ds.names)
    rng = np.random.default_rng(0)
    S_cal = np.column_stack([cb.predict(ds.X[fold.cal])[:, 0], rng.uniform(size=len(fold.cal))])
    f = registry.build("fusion", {"component": "stacked"}).fit(S_cal, ds.y[fold.cal], ["catboost", "noise"])
    assert f.fitted and abs(f.coef[0]) > 5 * abs(f.coef[1])
    p_test = cb.predict(ds.X[fold.test])[:, 0]
    fused = [f.combine({"catboost": a, "noise": b}) for a, b in zip(p_test, rng.uniform(size=len(p_test)))]
    a_fused, a_cb = ev.auc(ds.y[fold.test], np.array(fused)), ev.auc(ds.y[fold.test], p_test)
    assert a_cb > 0.55 and a_fused > a_cb - 0.02        # the noise tower barely moves the ranking


def test_unfitted_falls_back_to_the_mean():
    f = registry.build("fusion", {"component": "stacked"})
    assert f.combine({"a": 0.2, "b": 0.6}) == pytest.approx(0.4)
    assert math.isnan(f.combine({"a": math.nan}))
