"""CatBoost tower on real bundled candles: learns, calibrates only on the later fold, deterministic, signatures."""
import json

import numpy as np
import pytest

import registry
from components.tower import _oblivious
from components.types.signature import SignatureMismatch
from engine import evaluation as ev
from engine.walkforward import WalkForwardParams, build_dataset, feature_nodes, make_folds

FAST = {"component": "catboost", "iterations": 60, "depth": 4, "boosting_type": "Plain"}


@pytest.fixture(scope="module")
def data(bundled_data):
    registry.load_all()
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    streams = feed.load(["KRW-SOL", "KRW-XRP"])
    label = registry.build("label", {"component": "barrier_hit"})
    ds = build_dataset(streams, feature_nodes(None), label, stride_bars=2)
    fold = make_folds(ds, WalkForwardParams(folds=1))[0]
    return ds, fold


def _fit(ds, fold, **kw):
    tower = registry.build("tower", {**FAST, **kw}, path="towers.catboost")
    return tower.fit(ds.X[fold.train], ds.y[fold.train], ds.names, X_cal=ds.X[fold.cal], y_cal=ds.y[fold.cal],
                     cal_ts_ms=ds.ts_ms[fold.cal], span_ms=(int(ds.ts_ms[0]), int(ds.ts_ms[-1])), label="barrier_hit:x")


@pytest.fixture(scope="module")
def tower(data):
    return _fit(*data)


def test_learns_something_out_of_sample_on_real_data(data, tower):
    ds, fold = data
    p = tower.predict(ds.X[fold.test])[:, 0]
    assert p.shape == (len(fold.test),) and np.all((p >= 0) & (p <= 1))
    assert ev.auc(ds.y[fold.test], p) > 0.6          # barrier hits follow volatility: learnable


def test_calibration_uses_only_the_calibration_fold(data, tower):
    ds, fold = data
    assert tower.calibrated
    np.testing.assert_array_equal(tower.calibration_ts_ms, ds.ts_ms[fold.cal])
    assert tower.calibration_ts_ms.min() > ds.ts_ms[fold.train].max()       # it FOLLOWS training in time
    assert not np.isin(tower.calibration_ts_ms, ds.ts_ms[fold.train]).any()
    # the isotonic map is the one fitted on calibration-fold raw scores, not on training scores
    from sklearn.isotonic import IsotonicRegression
    raw_cal = tower.raw_predict(ds.X[fold.cal])
    iso = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(raw_cal, ds.y[fold.cal])
    np.testing.assert_allclose(tower.predict(ds.X[fold.test])[:, 0], iso.predict(tower.raw_predict(ds.X[fold.test])))


def test_without_a_calibration_fold_it_stays_uncalibrated(data):
    ds, fold = data
    t = registry.build("tower", FAST).fit(ds.X[fold.train], ds.y[fold.train], ds.names)
    assert not t.calibrated
    np.testing.assert_allclose(t.predict(ds.X[fold.test])[:, 0], t.raw_predict(ds.X[fold.test]))


def test_same_seed_same_model_other_seed_differs(data, tower):
    ds, fold = data
    p1 = tower.raw_predict(ds.X[fold.test])
    p2 = _fit(ds, fold).raw_predict(ds.X[fold.test])
    np.testing.assert_array_equal(p1, p2)
    p3 = _fit(ds, fold, random_seed=7, rsm=0.5).raw_predict(ds.X[fold.test])
    assert np.abs(p1 - p3).max() > 1e-6


def test_step_equals_predict_and_the_tree_kernel_equals_numpy(data, tower):
    ds, fold = data
    X = ds.X[fold.test][:300].copy()
    X[::11, 0] = np.nan                              # NaN takes CatBoost's nan_mode=Min branch
    cb = tower.model.predict_proba(X)[:, 1]
    np.testing.assert_allclose(_oblivious.predict_proba(tower.trees, X), cb, atol=1e-12)
    np.testing.assert_allclose(_oblivious.reference_raw(tower.trees, X),
                               np.log(cb / (1 - cb)), atol=1e-9)
    steps = np.array([tower.step(x)[0] for x in X])
    np.testing.assert_allclose(steps, tower.predict(X)[:, 0], atol=1e-12)


def test_save_load_round_trip_keeps_predictions_and_signature(data, tower, tmp_path):
    ds, fold = data
    tower.save(tmp_path / "m")
    sig = json.loads((tmp_path / "m" / "signature.json").read_text())
    assert sig["feature_names"] == ds.names and sig["label"] == "barrier_hit:x"
    assert set(sig["libraries"]) == {"catboost", "sklearn", "numpy"} and sig["span_ms"][0] == int(ds.ts_ms[0])
    back = registry.build("tower", {**FAST, "model_path": str(tmp_path / "m")})
    np.testing.assert_allclose(back.predict(ds.X[fold.test]), tower.predict(ds.X[fold.test]), atol=1e-12)
    back.bind(ds.names)


def test_signature_mismatch_is_refused_with_both_signatures(data, tower, tmp_path):
    ds, _ = data
    tower.save(tmp_path / "m")
    back = registry.build("tower", {**FAST, "model_path": str(tmp_path / "m")})
    with pytest.raises(SignatureMismatch, match="different order") as e:
        back.bind(list(reversed(ds.names)))
    assert "config expects" in str(e.value) and "model has" in str(e.value)
    with pytest.raises(SignatureMismatch, match="params_hash"):
        registry.build("tower", {**FAST, "depth": 5, "model_path": str(tmp_path / "m")})


def test_one_class_training_fold_is_a_clear_error(data):
    ds, fold = data
    with pytest.raises(ValueError, match="one class"):
        registry.build("tower", FAST).fit(ds.X[:50], np.zeros(50), ds.names)


def test_report_sections_give_the_calibration_curve_and_importance(data, tower):
    ds, fold = data
    sec = tower.report_sections()
    assert set(sec["feature_importance"]) == set(ds.names)
    cal = sec["calibration"]
    assert sum(cal["n"]) == len(fold.cal) and len(cal["p"]) == len(cal["observed"])
