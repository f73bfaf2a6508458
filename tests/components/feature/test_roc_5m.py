"""roc_5m against pandas pct_change(5) on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_pct_change(candles, candle_stream):
    got = registry.build("feature", {"component": "roc_5m"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, pd.Series(candles.close).pct_change(5).to_numpy(), rtol=1e-9, atol=1e-15)
