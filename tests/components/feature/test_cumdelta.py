"""cumdelta against cumulative sums + searchsorted windows on real Binance trades."""
import numpy as np
import pytest

import registry
from components.types.events import TRADE


def windowed_sum(ts, x, window_ms):
    """Σ x_j over trades j with ts_j in (ts_i - W, ts_i] and j <= i."""
    cs = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.searchsorted(ts, ts - window_ms, side="right")
    hi = np.arange(1, len(ts) + 1)
    return cs[hi] - cs[lo]


@pytest.mark.parametrize("data", ["tick_stream", "upbit_tick_stream"])
@pytest.mark.parametrize("window_ms", [300_000, 10_000])
def test_matches_windowed_signed_volume(window_ms, data, request):
    tick_stream = request.getfixturevalue(data)
    t = tick_stream.trades
    at = tick_stream.kind == TRADE
    got = registry.build("feature", {"component": "cumdelta", "window_ms": window_ms}).batch(tick_stream)
    ref = windowed_sum(t.ts_ms, t.side * t.volume, window_ms)
    np.testing.assert_allclose(got[at, 0], ref, rtol=1e-9, atol=1e-9 * t.volume.sum())
    # between trades (book events) the window end still moves with the latest event time
    n_seen = np.cumsum(at)
    cs = np.concatenate([[0.0], np.cumsum(t.side * t.volume)])
    lo = np.minimum(np.searchsorted(t.ts_ms, tick_stream.ts_ms - window_ms, side="right"), n_seen)
    every = np.where(n_seen > 0, cs[n_seen] - cs[lo], np.nan)
    np.testing.assert_allclose(got[:, 0], every, rtol=1e-9, atol=1e-9 * t.volume.sum())


def test_full_window_drops_the_oldest_and_says_so(binance, tick_stream):
    f = registry.build("feature", {"component": "cumdelta", "max_trades": 16})
    for ev in list(tick_stream.events())[:400]:
        f.update(ev)
    assert f.s[3 + 4] > 0           # overflow counter of the time window
