"""mfi_14 against pandas rolling money-flow sums on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_rolling_mfi(candles, candle_stream):
    tp = pd.Series((candles.high + candles.low + candles.close) / 3)
    flow = tp * candles.volume
    pos = flow.where(tp.diff() > 0, 0.0).rolling(14).sum()
    neg = flow.where(tp.diff() < 0, 0.0).rolling(14).sum()
    ref = (100 - 100 / (1 + pos / neg)).to_numpy().copy()
    ref[:14] = np.nan          # the first bar has no ΔTP
    got = registry.build("feature", {"component": "mfi_14"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-9)
