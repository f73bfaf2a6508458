"""feature_drift in the standard set, calibrated: on the bundled candles with the default features an
ordinary later window stays under the switch's thresholds (per-feature limits from held-out training windows),
a shifted feed (five times wider moves, tenfold volume) trips it; the standard set carries the switch."""
import dataclasses

import numpy as np
import pytest

from components.types.stream import MarketStream
from engine.drift import DriftMonitor, load_limits, save_reference

STRIDE = 2            # the walk-forward's training rows: one every 2 bars (walkforward.stride_bars)


def _rows(cfg, streams):
    from engine.walkforward import build_dataset, feature_nodes, label_of
    _, label, _ = label_of(cfg)
    ds = build_dataset(streams, feature_nodes(cfg), label, 1)
    return ds.X, ds.bar, ds.names


def _shifted(stream):
    """The same minutes with every close-to-close move five times as large and ten times the volume."""
    c = stream.candles
    logc = np.log(c.close)
    close = np.exp(logc[0] + 5.0 * (logc - logc[0]))
    k = close / c.close
    out = dataclasses.replace(c, open=c.open * k, high=c.high * k * (c.high / c.close) ** 4,
                              low=c.low * k * (c.low / c.close) ** 4, close=close, volume=c.volume * 10.0,
                              value_krw=c.value_krw * 10.0 * k)
    return MarketStream.build(stream.market, candles=out)


@pytest.fixture(scope="module")
def data():
    from engine.app import compose, job_config
    from engine.walkforward import load_streams
    import registry
    registry.load_all()
    cfg = job_config(compose([]))
    streams = load_streams(cfg)
    X, bar, names = _rows(cfg, streams)
    Xs, _, _ = _rows(cfg, {m: _shifted(s) for m, s in streams.items()})
    return cfg, X, bar, Xs, names


def _share(mon, rows):
    from components.types.metrics import Metrics
    m = Metrics()
    for x in rows:
        mon.add_row(x)
    out = mon.publish(m)
    return (out["drift_features_share"], out["drift_ks_excess"]), m


def test_ordinary_window_is_quiet_and_a_shifted_feed_trips(data, build, snap):
    cfg, X, bar, Xs, names = data
    switch = build("feature_drift")
    split = int(len(X) * 0.6)
    train = X[:split][bar[:split] % STRIDE == 0]
    quiet, tripped = [], []
    for start in range(split, split + 4000, 1000):
        mon = DriftMonitor(train, names, ref_stride=STRIDE)
        share, m = _share(mon, X[start:start + 1000])
        quiet.append(share)
        assert switch.check(m, snap(), 0) is None, (start, share, mon.last_report.worst(5))
        mon = DriftMonitor(train, names, ref_stride=STRIDE)
        share, m = _share(mon, Xs[start:start + 1000])
        tripped.append(share)
        trip = switch.check(m, snap(), 0)
        assert trip is not None and trip.action == "block_entries", (start, share)
    assert max(q[0] for q in quiet) <= switch.p.max_share and max(q[1] for q in quiet) < switch.p.max_excess
    assert min(t[1] for t in tripped) > switch.p.max_excess


def test_uncalibrated_monitor_would_trip_on_the_same_ordinary_windows(data, build, snap):
    """Why the limits exist: the plain min_ks bar flags most features of a few hours of ordinary data."""
    cfg, X, bar, _, names = data
    split = int(len(X) * 0.6)
    train = X[:split][bar[:split] % STRIDE == 0]
    shares = [_share(DriftMonitor(train, names, null_quantile=None), X[s:s + 1000])[0][0]
              for s in range(split, split + 4000, 1000)]
    assert max(shares) > build("feature_drift").p.max_share


def test_saved_reference_carries_the_limits_for_the_live_window(data, tmp_path):
    _, X, bar, _, names = data
    train = X[: int(len(X) * 0.6)]
    path = save_reference(tmp_path / "ref.npz", train[bar[: len(train)] % STRIDE == 0], names, ref_stride=STRIDE)
    limits, window = load_limits(path)
    assert window == 1000 and limits.shape == (len(names),)
    assert np.nanmax(limits) > 0.1 and np.isfinite(limits).all()
    mon = DriftMonitor.from_reference(path, names)
    assert np.array_equal(mon.ks_limits, np.fmax(limits, mon.min_ks))


def test_standard_set_carries_feature_drift():
    from engine.app import compose, job_config
    cfg = job_config(compose([]))
    assert cfg.killswitches.feature_drift.component == "feature_drift"
