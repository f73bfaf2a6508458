"""obv_slope against np.polyfit over a pandas OBV on real candles."""
import numpy as np

import registry


def test_matches_polyfit_slope(candles, candle_stream):
    sign = np.sign(np.diff(candles.close))
    obv = np.concatenate([[0.0], np.cumsum(sign * candles.volume[1:])])
    ref = np.full(len(obv), np.nan)
    for t in range(19, len(obv)):
        ref[t] = np.polyfit(np.arange(20), obv[t - 19:t + 1], 1)[0]
    got = registry.build("feature", {"component": "obv_slope"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9)
