"""vw_momentum against cumulative-sum windows on real Binance trades."""
import numpy as np

import registry
from components.types.events import TRADE


def test_matches_windowed_ratio(binance, tick_stream):
    t, _ = binance
    W = 60_000
    dp_v = np.diff(t.price) * t.volume[1:]
    v = t.volume[1:]
    ts = t.ts_ms[1:]
    lo = np.searchsorted(ts, ts - W, side="right")
    c1, c2 = np.concatenate([[0.0], np.cumsum(dp_v)]), np.concatenate([[0.0], np.cumsum(v)])
    hi = np.arange(1, len(ts) + 1)
    ref = np.concatenate([[np.nan], (c1[hi] - c1[lo]) / (c2[hi] - c2[lo])])
    got = registry.build("feature", {"component": "vw_momentum"}).batch(tick_stream)[tick_stream.kind == TRADE, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-9)
