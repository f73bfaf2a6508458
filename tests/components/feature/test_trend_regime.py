"""trend_regime against pandas SMA20 / SMA60 on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_sma_gap_and_state(candles, candle_stream):
    c = pd.Series(candles.close)
    gap = (c.rolling(20).mean() / c.rolling(60).mean() - 1).to_numpy()
    state = np.where(gap > 0.001, 1.0, np.where(gap < -0.001, -1.0, 0.0))
    state[np.isnan(gap)] = np.nan
    f = registry.build("feature", {"component": "trend_regime", "near_pct": 0.1})
    assert f.outputs == ("state", "gap")
    got = f.batch(candle_stream)
    np.testing.assert_allclose(got[:, 1], gap, rtol=1e-7, atol=1e-12)
    clear = np.abs(np.abs(gap) - 0.001) > 1e-9      # away from the band edge rounding cannot flip the state
    np.testing.assert_array_equal(got[clear, 0], state[clear])
    assert {-1.0, 0.0, 1.0} <= set(np.unique(got[~np.isnan(got[:, 0]), 0]))
