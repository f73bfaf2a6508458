"""hurst (variance of lagged differences) against a NumPy std/polyfit reference on real candles."""
import numpy as np

import registry


def reference(close, n, max_lag, rows):
    x = np.log(close)
    out = {}
    for t in rows:
        w = x[t - n + 1:t + 1]
        lags = np.arange(2, max_lag + 1)
        sd = np.array([np.std(w[tau:] - w[:-tau]) for tau in lags])
        out[t] = np.polyfit(np.log(lags), np.log(sd), 1)[0]
    return out


def test_matches_polyfit_reference(candles, candle_stream):
    got = registry.build("feature", {"component": "hurst"}).batch(candle_stream)[:, 0]
    rows = list(range(99, len(candles), 37))
    ref = reference(candles.close, 100, 20, rows)
    np.testing.assert_allclose([got[t] for t in rows], [ref[t] for t in rows], rtol=1e-9)
    assert np.isnan(got[:99]).all()
    assert 0.2 < np.nanmedian(got) < 0.8


def test_max_lag_over_half_the_window_is_refused():
    import pytest
    with pytest.raises(registry.ConfigError, match="max_lag must be at most"):
        registry.build("feature", {"component": "hurst", "window_bars": 20, "max_lag": 15})
