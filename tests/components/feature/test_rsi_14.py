"""rsi_14 against a plain NumPy Wilder RSI on real KRW-BTC 1m candles."""
import numpy as np

import registry


def wilder_rsi(close: np.ndarray, n: int) -> np.ndarray:
    d = np.diff(close)
    g, l = np.clip(d, 0, None), np.clip(-d, 0, None)
    out = np.full(len(close), np.nan)
    ag, al = g[:n].mean(), l[:n].mean()
    for t in range(n, len(d) + 1):
        if t > n:
            ag = (ag * (n - 1) + g[t - 1]) / n
            al = (al * (n - 1) + l[t - 1]) / n
        out[t] = 100 - 100 / (1 + ag / al) if al > 0 else (100.0 if ag > 0 else 50.0)
    return out


def test_matches_wilder_reference(candles, candle_stream):
    for n in (14, 5):
        got = registry.build("feature", {"component": "rsi_14", "window_bars": n}).batch(candle_stream)[:, 0]
        np.testing.assert_allclose(got, wilder_rsi(candles.close, n), rtol=1e-9, atol=1e-9)
        assert np.nanmin(got) >= 0 and np.nanmax(got) <= 100
