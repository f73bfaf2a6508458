"""buy_and_hold: constant P(up), so prob_threshold always enters."""
import numpy as np

import registry


def test_constant_probability_and_entry():
    t = registry.build("tower", {"component": "buy_and_hold"}, path="towers.buy_and_hold")
    t.bind(["a"])
    assert np.all(t.predict(np.random.default_rng(0).normal(size=(100, 1)))[:, 0] == 1.0)
    entry = registry.build("entry", {"component": "prob_threshold"}, path="entry")
    assert entry.decide(float(t.step(np.array([np.nan]))[0])).enter


def test_param_bounds():
    import pytest
    with pytest.raises(registry.ConfigError) as e:
        registry.build("tower", {"component": "buy_and_hold", "p_up": 1.5}, path="towers.buy_and_hold")
    assert "towers.buy_and_hold.p_up" in str(e.value)
