"""engine.features.FeatureSet: names, needs, online vector == batch rows, readiness, config errors."""
import numpy as np
import pytest

import registry
from engine.app import compose, job_config
from engine.features import FeatureSet


def _set(name: str) -> FeatureSet:
    return FeatureSet.from_config(job_config(compose([f"features={name}"])).features)


def _online(fs, stream, n=None):
    fs.reset()
    rows = []
    for i, ev in enumerate(stream.events()):
        if n is not None and i >= n:
            break
        fs.update(ev)
        rows.append(fs.vector())
    return np.array(rows)


def test_core_bar_runs_on_candles_alone_and_matches_online(candle_stream):
    fs = _set("core_bar")
    assert fs.needs == {"candle"}
    assert "trend_regime.state" in fs.names and "time_regime.night" in fs.names and "rsi_14" in fs.names
    X, names = fs.batch(candle_stream)
    assert names == fs.names and X.shape == (len(candle_stream), len(names))
    on = _online(fs, candle_stream)
    assert np.array_equal(np.isnan(X), np.isnan(on))
    np.testing.assert_allclose(on[np.isfinite(X)], X[np.isfinite(X)], rtol=1e-9, atol=1e-12)
    assert np.isfinite(X[fs.warmup:]).all()
    assert fs.ready()


def test_core20_and_micro_on_binance_ticks_match_online(tick_stream):
    fs = FeatureSet({**_set("core20").features, **_set("micro").features})
    assert fs.needs == {"trade", "book"}
    assert len(fs.ids) == 24
    X, _ = fs.batch(tick_stream)
    on = _online(fs, tick_stream, n=6000)
    Xn = X[:6000]
    assert np.array_equal(np.isnan(Xn), np.isnan(on))
    np.testing.assert_allclose(on[np.isfinite(Xn)], Xn[np.isfinite(Xn)], rtol=1e-9, atol=1e-12)
    warm_cols = [n for n in fs.names if n in ("spread_pct", "cumdelta", "ofi", "cancel_rate", "kyle_lambda")]
    for n in warm_cols:
        assert np.isfinite(X[-1, fs.names.index(n)]), n
    assert not fs.ready()     # 60 s bars: the 60-bar regime features cannot warm within 10.8 minutes


def test_all_problems_are_reported_with_dotted_paths():
    with pytest.raises(registry.ConfigError) as e:
        FeatureSet.from_config({"a": {"component": "rsi_14", "window_bars": 0},
                                "b": {"component": "rsi14"}, "c": {"component": "ofi", "levelz": 3}})
    text = "\n".join(e.value.lines())
    assert "features.a.window_bars  Input should be greater than or equal to 2" in text
    assert "features.b.component  unknown feature 'rsi14' (did you mean 'rsi_14'" in text
    assert "features.c.levelz  unknown key (did you mean 'levels'?)" in text


def test_invalid_events_are_counted_per_feature(candle_stream):
    fs = _set("core_bar")
    ev = next(iter(candle_stream.events()))
    from components.types.events import Candle
    bad = Candle(ev.market, ev.ts_ms, ev.open, ev.high, ev.low, float("nan"), ev.volume)
    fs.update(bad)
    counts = fs.invalid_counts()
    assert counts["rsi_14"] == 1 and counts["time_regime"] == 0


def test_shared_trade_bars_match_each_features_own_batch(tick_stream):
    """Features on bars built from trades share one bar builder inside a FeatureSet; values are unchanged."""
    nodes = {"rsi": {"component": "rsi_14", "bars_from": "trade", "bar_s": 2, "window_bars": 5},
             "adx": {"component": "adx_14", "bars_from": "trade", "bar_s": 2, "window_bars": 4},
             "bb": {"component": "bb_width", "bars_from": "trade", "bar_s": 5, "window_bars": 6},
             "cum": {"component": "cumdelta"}}
    fs = FeatureSet.from_config(nodes)
    X, _ = fs.batch(tick_stream)
    on = _online(fs, tick_stream)
    assert np.array_equal(np.isnan(X), np.isnan(on)) and np.isfinite(X[-1]).all()
    np.testing.assert_allclose(on[np.isfinite(X)], X[np.isfinite(X)], rtol=1e-9, atol=1e-12)
    fs.reset()
    assert np.isnan(fs.vector()).all()
