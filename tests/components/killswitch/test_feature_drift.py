"""feature_drift: trips when most features of the live window moved away from the training window (real
bundled candles through engine.drift.DriftMonitor), stays quiet on an unshifted window and without data."""
import numpy as np
import pytest

from components.types.feed.loaders import load_candles
from components.types.metric_names import DRIFT_FEATURES_SHARE, DRIFT_KS_MAX
from engine.drift import DriftMonitor

NAMES = ["ret_1", "range_pct", "log_volume", "ret_5"]


@pytest.fixture(scope="module")
def feats(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    ret1 = np.r_[np.nan, np.diff(np.log(c.close))]
    ret5 = np.r_[[np.nan] * 5, np.log(c.close[5:] / c.close[:-5])]
    return np.c_[ret1, (c.high - c.low) / c.close, np.log1p(c.volume), ret5][5:]


def _published(metrics, ref, rows):
    mon = DriftMonitor(ref, NAMES, recent_rows=len(rows))
    m = metrics()
    for x in rows:
        mon.add_row(x)
    mon.publish(m)
    return m


def test_unshifted_window_does_not_trip(build, snap, metrics, feats):
    idx = np.random.default_rng(3).permutation(len(feats))
    m = _published(metrics, feats[idx[:4000]], feats[idx[4000:4600]])
    assert m.get(DRIFT_FEATURES_SHARE) <= 0.25
    assert build("feature_drift").check(m, snap(), 0) is None


def test_shifted_window_trips_and_says_retrain(build, say, snap, metrics, feats):
    idx = np.random.default_rng(4).permutation(len(feats))
    recent = feats[idx[4000:4600]].copy()
    recent[:, 1:3] += np.nanstd(feats[:, 1:3], axis=0)       # range and volume up one sd: 2 of 4 = 50 %
    recent[:, 0] *= 4.0                                       # returns 4x as wide: 3 of 4 features moved
    m = _published(metrics, feats[idx[:4000]], recent)
    assert m.get(DRIFT_FEATURES_SHARE) == pytest.approx(0.75)
    trip = build("feature_drift").check(m, snap(), 0)
    assert trip.action == "block_entries" and trip.market == ""
    text = say(trip)
    assert "75% of features" in text and "retrain" in text


def test_threshold_is_strict_and_no_signal_is_quiet(build, snap, metrics):
    sw = build("feature_drift")
    assert sw.check(metrics({DRIFT_FEATURES_SHARE: 0.5, DRIFT_KS_MAX: 0.9}), snap(), 0) is None   # not > 0.5
    assert sw.check(metrics({}), snap(), 0) is None                                               # NaN: no data
    assert sw.check(metrics({DRIFT_FEATURES_SHARE: 0.51}), snap(), 0) is not None


def test_optional_ks_limit(build, snap, metrics):
    sw = build("feature_drift", max_ks=0.4)
    trip = sw.check(metrics({DRIFT_FEATURES_SHARE: 0.1, DRIFT_KS_MAX: 0.6}), snap(), 0)
    assert trip is not None and trip.values["ks_max"] == pytest.approx(0.6)
    assert sw.check(metrics({DRIFT_FEATURES_SHARE: 0.1, DRIFT_KS_MAX: 0.3}), snap(), 0) is None
