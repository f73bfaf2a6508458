"""bb_width against pandas rolling mean/std (ddof 0) on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_rolling_bollinger(candles, candle_stream):
    c = pd.Series(candles.close)
    ref = (4 * c.rolling(20).std(ddof=0) / c.rolling(20).mean()).to_numpy()
    got = registry.build("feature", {"component": "bb_width"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-12)
