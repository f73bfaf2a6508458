"""roll_spread against pandas rolling autocovariance of close changes on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_rolling_cov(candles, candle_stream):
    c = pd.Series(candles.close)
    d = c.diff()
    cov = d.rolling(20).cov(d.shift(1)).to_numpy()
    ref = np.where(cov < 0, 2 * np.sqrt(np.abs(cov)) / candles.close, 0.0)
    ref[np.isnan(cov)] = np.nan
    got = registry.build("feature", {"component": "roll_spread"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-12)
    assert (got[21:] > 0).any() and (got[21:] == 0).any()     # both defined and undefined windows occur
