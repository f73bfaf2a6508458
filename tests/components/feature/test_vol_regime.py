"""vol_regime = Wilder ATR20 / ATR60 against a NumPy reference on real candles."""
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


def test_matches_atr_ratio(candles, candle_stream):
    h, l, c = candles.high, candles.low, candles.close
    ref = wilder_atr(h, l, c, 20) / wilder_atr(h, l, c, 60)
    got = registry.build("feature", {"component": "vol_regime"}).batch(candle_stream)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_fast_must_be_shorter_than_slow():
    import pytest
    with pytest.raises(registry.ConfigError, match=r"features\.v  .*fast_bars must be smaller"):
        registry.build("feature", {"component": "vol_regime", "fast_bars": 60, "slow_bars": 20}, path="features.v")
