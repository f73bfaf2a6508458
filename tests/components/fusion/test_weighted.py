"""Weighted fusion: the spec's preset weights, renormalised over present towers, absent roles reported."""
import math

import pytest

import registry


def _f(**kw):
    registry.load_all()
    return registry.build("fusion", {"component": "weighted", **kw}, path="fusion")


def test_preset_weights_for_majors_and_alts():
    f = _f()
    w, absent = f.weights_for(["catboost", "ssm", "regime", "hfp"], "majors")
    assert w == pytest.approx({"catboost": 0.50, "ssm": 0.25, "regime": 0.15, "hfp": 0.10}) and absent == []
    w, _ = f.weights_for(["catboost", "lstm", "regime", "hfp"], "alts")
    assert w == pytest.approx({"catboost": 0.60, "lstm": 0.05, "regime": 0.20, "hfp": 0.15})


def test_absent_towers_are_renormalised_and_reported():
    w, absent = _f().weights_for(["catboost", "regime"], "majors")
    assert w == pytest.approx({"catboost": 0.50 / 0.65, "regime": 0.15 / 0.65})
    assert sorted(absent) == ["hfp", "sequence"]
    p = _f().combine({"catboost": 0.8, "regime": 0.4}, "majors")
    assert p == pytest.approx((0.5 * 0.8 + 0.15 * 0.4) / 0.65)


def test_a_tower_without_an_answer_drops_out_of_that_step():
    assert _f().combine({"catboost": math.nan, "regime": 0.3}) == pytest.approx(0.3)
    assert math.isnan(_f().combine({"catboost": math.nan}))


def test_baseline_only_towers_share_equally():
    w, _ = _f().weights_for(["momentum_rule", "random_entry"])
    assert w == {"momentum_rule": 0.5, "random_entry": 0.5}


def test_negative_weight_is_refused_with_its_path():
    with pytest.raises(registry.ConfigError, match=r"fusion.*weights\.majors: negative"):
        _f(weights={"majors": {"catboost": -1.0}})
