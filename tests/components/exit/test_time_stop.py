"""Time stop: after 5 min below +0.05 % net; optional absolute max hold (emerging: 120 s)."""
import components.exit.time_stop  # noqa: F401
import registry
from components.types.risk import ExitContext



def test_after_five_minutes_below_min_return(position, price_for_return):
    ts = registry.build("exit", {"component": "time_stop"}, path="exits.time_stop")
    t0 = position.entry_ts_ms
    low, ok = price_for_return(position, 0.0004), price_for_return(position, 0.0006)
    assert ts.check(position, low, t0 + 299_999) is None              # not yet 5 minutes
    sig = ts.check(position, low, t0 + 300_000)
    assert sig.reason == "time_stop" and sig.is_stop
    assert ts.check(position, ok, t0 + 900_000) is None               # above +0.05 %: keep


def test_max_hold_exits_whatever_the_return(position, price_for_return):
    ts = registry.build("exit", {"component": "time_stop", "max_hold_s": 120, "is_stop": False},
                        path="exits.time_stop")
    hi = price_for_return(position, 0.003)
    assert ts.check(position, hi, position.entry_ts_ms + 119_000) is None
    sig = ts.check(position, hi, position.entry_ts_ms + 120_000)
    assert sig is not None and not sig.is_stop


def test_emerging_class_caps_the_hold_at_120_s(position, price_for_return):
    ts = registry.build("exit", {"component": "time_stop"}, path="exits.time_stop")
    hi = price_for_return(position, 0.003)
    t = position.entry_ts_ms + 120_000
    assert ts.check(position, hi, t, ExitContext(market_class="majors")) is None
    assert ts.check(position, hi, t, ExitContext(market_class="emerging")).reason == "time_stop"
