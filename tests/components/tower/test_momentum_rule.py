"""momentum_rule: the score/threshold rule on real candle momentum, bind by name, fit calibrates the threshold."""
import numpy as np
import pytest

import registry
from engine.features import FeatureSet
from components.types.feed.loaders import load_candles
from components.types.stream import MarketStream


@pytest.fixture(scope="module")
def xy(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    fs = FeatureSet.from_config({"roc_1m": {"component": "roc_1m"}, "roc_5m": {"component": "roc_5m"},
                                 "rsi_14": {"component": "rsi_14"}})
    X, names = fs.batch(MarketStream.build("KRW-BTC", candles=c))
    return X, names


def test_step_matches_predict_and_rises_with_momentum(xy):
    X, names = xy
    tower = registry.build("tower", {"component": "momentum_rule"}, path="towers.momentum_rule")
    tower.bind(names)
    P = tower.predict(X)[:, 0]
    for i in range(10, len(X), 97):
        assert tower.step(X[i])[0] == pytest.approx(P[i], abs=1e-12)
    ok = np.isfinite(X[:, names.index("roc_5m")]) & np.isfinite(X[:, names.index("roc_1m")])
    score = X[ok, names.index("roc_5m")] + 0.5 * X[ok, names.index("roc_1m")]
    p = P[ok]
    order = np.argsort(score)
    assert np.all(np.diff(p[order]) >= -1e-12)          # monotone in the momentum score
    assert p[order[-1]] > 0.6 > 0.4 > p[order[0]]         # a week of real BTC momentum spans the entry bar


def test_fit_sets_threshold_to_quantile_of_scores(xy):
    X, names = xy
    tower = registry.build("tower", {"component": "momentum_rule", "fit_quantile": 0.9}, path="t")
    tower.fit(X, np.zeros(len(X)), names)
    p = tower.predict(X)[:, 0]
    share = float(np.mean(p > 0.5))
    assert 0.08 <= share <= 0.12                          # fires on about the top 10 % of history


def test_bind_refuses_missing_inputs_with_config_path():
    tower = registry.build("tower", {"component": "momentum_rule", "inputs": {"ofi": 1.0}}, path="t")
    with pytest.raises(registry.ConfigError) as e:
        tower.bind(["rsi_14", "roc_1m"])
    assert "towers.momentum_rule.inputs" in str(e.value)


def test_nan_inputs_never_trigger():
    tower = registry.build("tower", {"component": "momentum_rule"}, path="t")
    tower.bind(["roc_1m", "roc_5m"])
    assert tower.step(np.array([np.nan, np.nan]))[0] < 0.5


def test_bind_without_any_input_column_names_the_inputs():
    import pytest
    import registry
    tower = registry.build("tower", {"component": "momentum_rule"}, path="towers.momentum_rule")
    with pytest.raises(registry.ConfigError,
                       match=r"towers\.momentum_rule\.inputs  matched 0 feature columns, need 1 \(inputs \["):
        tower.bind(["spread_pct"])
