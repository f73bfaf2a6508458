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


def test_running_sums_equal_the_window_on_every_bar_through_flat_stretches(candle_stream):
    """The per-lag running sums (rebuilt every window) give the direct estimate on every bar, also where the
    price stands still long enough that some lags see no movement (those lags are left out, as directly)."""
    import dataclasses
    c = candle_stream.candles
    close = np.asarray(c.close, float).copy()[:600]
    close[250:330] = close[249]                          # 80 flat bars: lags see zero differences, then leave
    flat = dataclasses.replace(c, **{f: np.asarray(getattr(c, f))[:600].copy() for f in
                                     ("ts_ms", "open", "high", "low", "volume", "value_krw")}, close=close)
    flat.high[:] = np.maximum(flat.high, close)
    flat.low[:] = np.minimum(flat.low, close)
    from components.types.stream import MarketStream
    stream = MarketStream.build(c.market, candles=flat)
    n, lag = 40, 12
    got = registry.build("feature", {"component": "hurst", "window_bars": n, "max_lag": lag}).batch(stream)[:, 0]
    x = np.log(close)
    for t in range(n - 1, 600):
        w = x[t - n + 1:t + 1]
        sd = np.array([np.std(w[tau:] - w[:-tau]) for tau in range(2, lag + 1)])
        keep = sd > 0
        want = np.polyfit(np.log(np.arange(2, lag + 1)[keep]), np.log(sd[keep]), 1)[0] if keep.sum() >= 2 else 0.5
        assert abs(got[t] - want) < 1e-9, (t, got[t], want)
