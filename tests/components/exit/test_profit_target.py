"""Profit target at +0.70 % net of both fees."""
import pytest

import components.exit.profit_target  # noqa: F401
import registry



def test_target_net_of_fees(position, price_for_return):
    tp = registry.build("exit", {"component": "profit_target"}, path="exits.profit_target")
    ts = position.entry_ts_ms + 1000
    assert tp.check(position, price_for_return(position, 0.0069), ts) is None
    sig = tp.check(position, price_for_return(position, 0.00701), ts)
    assert sig.reason == "profit_target" and not sig.is_stop and sig.net_return == pytest.approx(0.00701)


def test_bad_target_names_the_key():
    with pytest.raises(registry.ConfigError, match=r"exits\.profit_target\.target_pct  .*greater than 0"):
        registry.build("exit", {"component": "profit_target", "target_pct": 0}, path="exits.profit_target")
