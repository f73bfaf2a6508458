"""adx_14 against a NumPy Wilder ADX on real candles."""
import numpy as np

import registry


def wilder_smooth(x, n):
    out = np.full(len(x), np.nan)
    a = x[:n].mean()
    out[n - 1] = a
    for t in range(n, len(x)):
        a = (a * (n - 1) + x[t]) / n
        out[t] = a
    return out


def adx(h, l, c, n):
    up, down = h[1:] - h[:-1], l[:-1] - l[1:]
    pdm = np.where((up > down) & (up > 0), up, 0.0)
    mdm = np.where((down > up) & (down > 0), down, 0.0)
    tr = np.maximum(h[1:] - l[1:], np.maximum(abs(h[1:] - c[:-1]), abs(l[1:] - c[:-1])))
    s_tr, s_p, s_m = (wilder_smooth(x, n) for x in (tr, pdm, mdm))
    with np.errstate(invalid="ignore", divide="ignore"):
        pdi, mdi = 100 * s_p / s_tr, 100 * s_m / s_tr
        dx = 100 * abs(pdi - mdi) / (pdi + mdi)
    dx = dx[n - 1:]
    out = np.full(len(c), np.nan)
    out[2 * n - 1:] = wilder_smooth(dx, n)[n - 1:]
    return out


def test_matches_wilder_adx(candles, candle_stream):
    got = registry.build("feature", {"component": "adx_14"}).batch(candle_stream)[:, 0]
    ref = adx(candles.high, candles.low, candles.close, 14)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)
    assert np.nanmax(got) <= 100 and np.nanmin(got) >= 0
