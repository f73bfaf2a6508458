"""vpin_bvc against pandas + scipy (Φ) bulk volume classification on real candles."""
import numpy as np
import pandas as pd
from scipy.stats import norm

import registry


def bvc_imbalance(candles, sigma_bars):
    dp = pd.Series(candles.close).diff()
    sd = dp.rolling(sigma_bars).std().shift(1)          # strictly past changes
    vb = pd.Series(candles.volume * norm.cdf(dp / sd))
    return (2 * vb - candles.volume).abs(), sd


def test_matches_reference(candles, candle_stream):
    imb, sd = bvc_imbalance(candles, 50)
    v = pd.Series(candles.volume).where(sd.notna())
    ref = (imb.rolling(50).sum() / v.rolling(50).sum()).to_numpy()
    got = registry.build("feature", {"component": "vpin_bvc"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-12)
    assert 0 < np.nanmin(got) and np.nanmax(got) < 1
