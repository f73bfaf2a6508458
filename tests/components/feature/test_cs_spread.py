"""cs_spread against a vectorised NumPy Corwin-Schultz estimator on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_numpy_corwin_schultz(candles, candle_stream):
    h, l = candles.high, candles.low
    beta = np.log(h[:-1] / l[:-1]) ** 2 + np.log(h[1:] / l[1:]) ** 2
    gamma = np.log(np.maximum(h[:-1], h[1:]) / np.minimum(l[:-1], l[1:])) ** 2
    k = 3 - 2 * np.sqrt(2)
    alpha = (np.sqrt(2 * beta) - np.sqrt(beta)) / k - np.sqrt(gamma / k)
    s = np.maximum(2 * (np.exp(alpha) - 1) / (1 + np.exp(alpha)), 0)
    ref = np.concatenate([[np.nan], pd.Series(s).rolling(20).mean().to_numpy()])
    got = registry.build("feature", {"component": "cs_spread"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-14)
    assert np.nanmax(got) < 0.01
