"""Regime tower: binds by column name, step == predict, fit learns on real candles, clear errors."""
import numpy as np
import pytest

import registry
from components.types.feed.loaders import load_candles
from registry import ConfigError


def _regime_columns(shared_data):
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    close = c.close[:6000]
    sma = lambda w: np.convolve(close, np.ones(w) / w, mode="full")[: len(close)]  # causal: uses past w bars
    trend = sma(20) / sma(60) - 1.0
    ret = np.diff(np.log(close), prepend=np.log(close[0]))
    vol = np.array([ret[max(0, i - 19): i + 1].std() for i in range(len(close))])
    X = np.column_stack([np.full(len(close), 50.0), trend * 100, vol * 1e3])[60:-10]
    y = (close[70:] > close[60:-10]).astype(int)        # next-10-bar direction, only for fitting
    return X, y


def test_bind_matches_prefixes_and_refuses_when_nothing_matches():
    t = registry.build("tower", {"component": "regime"}, path="towers.regime")
    t.bind(["rsi_14", "trend_regime.above", "vol_regime"])
    assert list(t.cols) == [1, 2]
    with pytest.raises(ConfigError, match=r"towers\.regime\.inputs  matched 0 feature columns, need 1"):
        t.bind(["rsi_14", "spread_pct"])


def test_step_equals_predict_and_prior_direction():
    t = registry.build("tower", {"component": "regime"}, path="towers.regime")
    t.bind(["trend_regime", "vol_regime"])
    X = np.array([[1.0, 0.5], [-1.0, 0.5], [np.nan, 0.5]])
    p = t.predict(X)[:, 0]
    assert p[0] > 0.5 > p[1]                       # positive trend weight by default
    for row, expected in zip(X, p):
        assert t.step(row)[0] == pytest.approx(expected, abs=1e-12)


def test_fit_on_real_candles_gives_probabilities(shared_data):
    X, y = _regime_columns(shared_data)
    names = ["rsi_14", "trend_regime", "vol_regime"]
    t = registry.build("tower", {"component": "regime"}, path="towers.regime")
    half = len(X) // 2
    t.fit(X[:half], y[:half], names)
    p = t.predict(X[half:])[:, 0]
    assert np.all((p > 0) & (p < 1)) and p.std() > 0
    assert not np.allclose(t.w, [0.5, -0.2])        # learned, not the prior


def test_one_class_training_keeps_prior():
    t = registry.build("tower", {"component": "regime"}, path="towers.regime")
    t.fit(np.ones((10, 2)), np.ones(10), ["trend_regime", "vol_regime"])
    assert np.allclose(t.w, [0.5, -0.2])


def test_unbound_predict_is_an_error():
    t = registry.build("tower", {"component": "regime"}, path="towers.regime")
    with pytest.raises(RuntimeError, match="before bind"):
        t.predict(np.zeros((1, 2)))


def test_rebind_with_same_columns_keeps_learned_weights(shared_data):
    X, y = _regime_columns(shared_data)
    names = ["rsi_14", "trend_regime", "vol_regime"]
    t = registry.build("tower", {"component": "regime"}, path="towers.regime")
    t.fit(X, y, names)
    learned = t.w.copy()
    t.bind(names)                                   # the engine binds every tower it runs
    assert np.array_equal(t.w, learned)
    t.bind(["trend_regime", "vol_regime"])         # other columns: back to the prior
    assert np.allclose(t.w, [0.5, -0.2])
