"""barrier_hit on real Upbit candles: kernel == plain reference, only later prices matter, purge times sane."""
import dataclasses

import numpy as np
import pytest

import registry
from components.label._path import barrier_kernel, barrier_reference, entry_prices, first_after, price_path
from components.types.events import CANDLE
from components.types.stream import MarketStream


@pytest.fixture(scope="module")
def stream(bundled_data):
    registry.load_all()
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    return feed.load(["KRW-SOL"])["KRW-SOL"]


def _label(**kw):
    return registry.build("label", {"component": "barrier_hit", **kw}, path="labels.barrier_hit")


def test_kernel_equals_plain_reference_on_real_candles(stream):
    idx = np.flatnonzero(stream.kind == CANDLE)[::7]
    t = stream.ts_ms[idx]
    path = price_path(stream)
    args = (first_after(path, t), t, entry_prices(path, t), path.known_ms, path.open, path.high, path.low,
            path.last, 0.004, 0.004, 480_000)
    got, ref = barrier_kernel(*args), barrier_reference(*args)
    for a, b in zip(got, ref):
        np.testing.assert_array_equal(a, b)
    assert np.nanmean(got[0] == 1.0) > 0.01 and np.nanmean(got[0] == 0.0) > 0.01   # both outcomes occur


def test_label_end_is_after_decision_and_within_horizon(stream):
    idx = np.flatnonzero(stream.kind == CANDLE)
    y, end = _label().compute(stream, idx)
    t = stream.ts_ms[idx]
    ok = np.isfinite(y)
    assert set(np.unique(y[ok])) == {0.0, 1.0}
    assert np.all(end[ok] > t[ok]) and np.all(end[ok] <= t[ok] + 480_000)
    assert np.isnan(y[-1])                      # the horizon runs past the data: unknown, not 0


def test_only_prices_strictly_after_the_decision_are_used(stream):
    idx = np.flatnonzero(stream.kind == CANDLE)[100:3000:20]   # decisions further apart than the horizon
    base, _ = _label().compute(stream, idx)
    c = stream.candles
    # A spike in the decision bar itself (it closed AT the decision time) changes nothing...
    dec_rows = stream.row[idx]
    hi, lo = c.high.copy(), c.low.copy()
    hi[dec_rows] *= 1.05
    lo[dec_rows] *= 0.95
    moved = MarketStream.build(c.market, candles=dataclasses.replace(c, high=hi, low=lo))
    same, _ = _label().compute(moved, idx)
    np.testing.assert_array_equal(base, same)
    # ...while a spike in the bar right AFTER the decision turns every label into a hit
    hi2 = c.high.copy()
    hi2[dec_rows + 1] *= 1.05
    later = MarketStream.build(c.market, candles=dataclasses.replace(c, high=hi2))
    up, _ = _label().compute(later, idx)
    assert np.nanmean(up) > 0.9 > np.nanmean(base)


def test_bar_touching_both_barriers_counts_as_the_stop(stream):
    idx = np.flatnonzero(stream.kind == CANDLE)[200:201]
    c = stream.candles
    r = int(stream.row[idx[0]]) + 1
    hi, lo = c.high.copy(), c.low.copy()
    hi[r], lo[r] = c.close[r - 1] * 1.01, c.close[r - 1] * 0.99
    s = MarketStream.build(c.market, candles=dataclasses.replace(c, high=hi, low=lo))
    raw, end, ret = _label().outcome(s, idx)
    assert raw[0] == 0.0 and ret[0] < 0


def test_params_are_validated_with_the_dotted_path():
    with pytest.raises(registry.ConfigError, match=r"labels\.barrier_hit\.up_pct"):
        _label(up_pct=-1)
