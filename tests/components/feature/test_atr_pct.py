"""atr_pct against a NumPy Wilder ATR on real candles."""
import numpy as np

import registry


def wilder_atr(h, l, c, n):
    tr = np.maximum(h[1:] - l[1:], np.maximum(abs(h[1:] - c[:-1]), abs(l[1:] - c[:-1])))
    out = np.full(len(c), np.nan)
    atr = tr[:n].mean()
    out[n] = atr
    for t in range(n, len(tr)):
        atr = (atr * (n - 1) + tr[t]) / n
        out[t + 1] = atr
    return out


def test_matches_wilder_atr(candles, candle_stream):
    ref = wilder_atr(candles.high, candles.low, candles.close, 14) / candles.close
    got = registry.build("feature", {"component": "atr_pct"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)
