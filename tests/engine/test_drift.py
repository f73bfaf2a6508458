"""Drift metrics on real bundled candles: KS flags a deliberately shifted feature and not an unshifted
split; ECE matches a plain loop; the monitor publishes the metric names the kill switches read."""
import numpy as np
import pytest

from components.types.feed.loaders import load_candles
from components.types.metrics import Metrics
from engine.drift import DriftMonitor, expected_calibration_error, fold_drift, ks_drift

NAMES = ["ret_1", "range_pct", "log_volume", "ret_5"]


@pytest.fixture(scope="module")
def feats(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    ret1 = np.r_[np.nan, np.diff(np.log(c.close))]
    ret5 = np.r_[[np.nan] * 5, np.log(c.close[5:] / c.close[:-5])]
    return np.c_[ret1, (c.high - c.low) / c.close, np.log1p(c.volume), ret5]


def test_unshifted_split_is_not_flagged(feats):
    idx = np.random.default_rng(1).permutation(len(feats))
    rep = ks_drift(feats[idx[:5000]], feats[idx[5000:6000]], NAMES)
    assert rep.n_shifted == 0 and rep.ks_max < 0.1


def test_deliberately_shifted_feature_is_flagged_and_only_it(feats):
    idx = np.random.default_rng(2).permutation(len(feats))
    recent = feats[idx[5000:6000]].copy()
    recent[:, 2] += np.nanstd(feats[:, 2])           # log_volume up by one standard deviation
    rep = ks_drift(feats[idx[:5000]], recent, NAMES)
    assert rep.shifted.tolist() == [False, False, True, False]
    assert rep.ks_max > 0.3 and rep.worst(1)[0][0] == "log_volume"


def test_ece_matches_a_plain_loop_and_separates_calibrated_from_not(feats):
    rng = np.random.default_rng(3)
    p = 1 / (1 + np.exp(-feats[6:4006, 3] / np.nanstd(feats[:, 3])))      # real-data-driven probabilities
    y = (rng.random(len(p)) < p).astype(float)                            # outcomes drawn from p
    ref = 0.0
    for b in range(10):
        m = (np.minimum((p * 10).astype(int), 9) == b)
        if m.any():
            ref += m.mean() * abs(p[m].mean() - y[m].mean())
    assert expected_calibration_error(p, y) == pytest.approx(ref)
    assert expected_calibration_error(p, y) < 0.05
    assert expected_calibration_error(np.clip(p + 0.25, 0, 1), y) > 0.15


def test_monitor_publishes_metric_names_nan_until_enough_data(feats):
    mon = DriftMonitor(feats[:5000], NAMES, recent_rows=500, min_outcomes=50)
    m = Metrics()
    mon.publish(m)
    assert np.isnan(m.get("drift_ks_max")) and np.isnan(m.get("calibration_ece"))
    shifted = feats[5000:5500].copy()
    shifted[:, 1] *= 3.0
    for x in shifted:
        mon.add_row(x)
    for p, y in zip(np.linspace(0.1, 0.9, 100), np.r_[np.zeros(50), np.ones(50)]):
        mon.add_outcome(p, y)
    out = mon.publish(m)
    assert m.get("drift_features_shifted") >= 1 and mon.last_report.shifted[1]
    assert m.get("calibration_ece") == pytest.approx(out["calibration_ece"]) and m.get("calibration_samples") == 100


def test_fold_drift_reports_per_fold_keys(feats):
    out = fold_drift(feats[:6000], feats[6000:8000], NAMES, p_test=np.full(2000, 0.5),
                     y_test=np.r_[np.zeros(1000), np.ones(1000)])
    assert set(out) == {"drift_ks_max", "drift_features_shifted", "drift_features_share", "drift_worst",
                        "calibration_ece"}
    assert out["calibration_ece"] == pytest.approx(0.0)


def test_published_ece_trips_risks_calibration_error_switch_only_when_miscalibrated(feats):
    from components.killswitch.calibration_error import CalibrationError
    from components.types.risk import RiskSnapshot
    switch = CalibrationError(CalibrationError.Params(max_ece=0.15, min_samples=200))
    rng = np.random.default_rng(4)
    p = 1 / (1 + np.exp(-feats[6:406, 3] / np.nanstd(feats[:, 3])))
    y = (rng.random(len(p)) < p).astype(float)
    for shift, trips in ((0.0, False), (0.3, True)):
        mon, m = DriftMonitor(feats[:1000], NAMES, recent_outcomes=400), Metrics()
        for pi, yi in zip(np.clip(p + shift, 0, 1), y):
            mon.add_outcome(pi, yi)
        mon.publish(m)
        assert (switch.check(m, RiskSnapshot(), 0) is not None) is trips


def test_reference_round_trip_feeds_a_monitor_and_refuses_other_names(feats, tmp_path):
    from engine.drift import load_reference, save_reference
    path = save_reference(tmp_path / "ref.npz", feats[5:], NAMES, max_rows=3000)
    X, names = load_reference(path)
    assert names == NAMES and X.shape == (3000, 4)
    assert np.all(np.isin(X[:, 2], feats[:, 2]))                     # rows of the training sample, unchanged
    mon = DriftMonitor.from_reference(path, NAMES)
    m = Metrics()
    for x in feats[-600:]:
        mon.add_row(x)
    assert np.isnan(mon.publish(m)["drift_ks_max"])       # calibrated limits hold for a full window only
    for x in feats[-1000:-600]:
        mon.add_row(x)
    assert np.isfinite(mon.publish(m)["drift_ks_max"])
    with pytest.raises(ValueError, match="differ"):
        DriftMonitor.from_reference(path, NAMES[::-1])


def test_ks_drift_equals_scipy_ks_2samp_asymp_with_nans_ties_and_a_presorted_reference():
    """The vectorised statistic and p-value are scipy's (method="asymp"), NaN rows dropped per column."""
    from scipy.stats import ks_2samp
    from engine.drift import ks_drift, sorted_columns
    rng = np.random.default_rng(7)
    ref = rng.normal(size=(3000, 4))
    rec = np.column_stack([rng.normal(size=700), rng.normal(0.3, 1, 700), np.round(rng.normal(size=700), 1),
                           rng.standard_t(3, 700)])
    ref[::17, 1] = np.nan
    rec[::11, 3] = np.inf
    ref[:, 2] = np.round(ref[:, 2], 1)                       # heavy ties on both sides
    for rep in (ks_drift(ref, rec, list("abcd")), ks_drift(ref, rec, list("abcd"), ref_sorted=sorted_columns(ref))):
        for j in range(4):
            a, b = ref[:, j][np.isfinite(ref[:, j])], rec[:, j][np.isfinite(rec[:, j])]
            want = ks_2samp(a, b, method="asymp")
            assert rep.ks[j] == pytest.approx(want.statistic, abs=1e-12)
            assert rep.p_value[j] == pytest.approx(want.pvalue, rel=1e-9, abs=1e-300)
        assert rep.shifted[1] and not rep.shifted[0]



def test_needed_p_values_only_leave_every_shifted_verdict_and_published_metric_unchanged(monkeypatch):
    """The monitor asks for p-values only where the statistic reaches its limit: same `shifted`, same metrics,
    the p-values it does compute equal the full ones."""
    import engine.drift as drift
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(4000, 6))
    rec = np.column_stack([rng.normal(size=900), rng.normal(0.4, 1, 900), rng.normal(0.05, 1, 900),
                           rng.normal(0, 1.5, 900), rng.standard_t(4, 900), rng.normal(0.12, 1, 900)])
    limits = np.array([0.1, 0.1, 0.02, 0.05, 0.1, 0.04])
    full = ks_drift(ref, rec, list("abcdef"), 0.01, limits)
    some = ks_drift(ref, rec, list("abcdef"), 0.01, limits, all_p_values=False)
    assert (full.shifted == some.shifted).all() and full.shifted.any() and not full.shifted.all()
    need = full.ks >= limits
    assert need.any() and not need.all()
    np.testing.assert_array_equal(some.p_value[need], full.p_value[need])
    assert np.isnan(some.p_value[~need]).all()

    def published() -> dict:
        mon = DriftMonitor(ref, list("abcdef"), recent_rows=900, ks_limits=limits, min_ks=0.0)
        for row in rec:
            mon.add_row(row)
        return mon.publish(Metrics())
    lean = published()
    every = drift.ks_drift
    monkeypatch.setattr(drift, "ks_drift", lambda *a, **k: every(*a, **{**k, "all_p_values": True}))
    assert lean.keys() == (old := published()).keys()
    np.testing.assert_array_equal(np.array(list(lean.values())), np.array(list(old.values())))   # NaN == NaN here
    assert lean[drift.DRIFT_FEATURES_SHIFTED] == full.shifted.sum()
