"""volume_regime against pandas rolling mean volume 20 / 60 on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_rolling_volume_ratio(candles, candle_stream):
    v = pd.Series(candles.volume)
    ref = (v.rolling(20).mean() / v.rolling(60).mean()).to_numpy()
    got = registry.build("feature", {"component": "volume_regime"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-8)
