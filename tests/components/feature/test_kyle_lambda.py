"""kyle_lambda against pandas rolling cov / var of (log-return, signed volume) per trade on real trades."""
import numpy as np
import pandas as pd

import registry
from components.types.events import TRADE


def test_matches_rolling_cov_over_var(binance, tick_stream):
    t, _ = binance
    r = pd.Series(np.log(t.price[1:] / t.price[:-1]))
    q = pd.Series((t.side * t.volume)[1:].astype(float))
    ref = (r.rolling(200).cov(q) / q.rolling(200).var()).to_numpy()
    ref = np.concatenate([[np.nan], ref])
    got = registry.build("feature", {"component": "kyle_lambda"}).batch(tick_stream)[tick_stream.kind == TRADE, 0]
    scale = np.nanmax(np.abs(ref))
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-9 * scale)
    assert np.nanmedian(got) > 0       # buying pressure moves prices up on real data
