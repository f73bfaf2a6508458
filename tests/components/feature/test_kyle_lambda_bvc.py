"""kyle_lambda_bvc against pandas rolling cov/var with scipy BVC-signed volume on real candles."""
import numpy as np
import pandas as pd
from scipy.stats import norm

import registry


def test_matches_reference(candles, candle_stream):
    c = pd.Series(candles.close)
    dp = c.diff()
    sd = dp.rolling(50).std().shift(1)
    q = (candles.volume * (2 * norm.cdf(dp / sd) - 1))
    q = pd.Series(q)
    r = np.log(c / c.shift(1)).where(sd.notna())
    ref = (r.rolling(60).cov(q) / q.rolling(60).var()).to_numpy()
    got = registry.build("feature", {"component": "kyle_lambda_bvc"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9 * np.nanmax(np.abs(ref)))
    assert np.nanmedian(got) > 0
