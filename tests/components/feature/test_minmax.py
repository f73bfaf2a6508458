"""minmax against pandas rolling min/max of the wrapped feature's own output, on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_rolling_minmax(candle_stream):
    inner = registry.build("feature", {"component": "trend_regime"}).batch(candle_stream)[:, 1]
    s = pd.Series(inner).dropna()
    lo, hi = s.rolling(30).min(), s.rolling(30).max()
    ref = ((s - lo) / (hi - lo)).reindex(range(len(inner))).to_numpy()
    got = registry.build("feature", {"component": "minmax", "inner": {"component": "trend_regime"},
                                     "output": "gap", "window": 30}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)
    assert np.nanmin(got) == 0.0 and np.nanmax(got) == 1.0
