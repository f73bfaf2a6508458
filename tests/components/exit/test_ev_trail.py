"""EV trail: exit when remaining expected return < -0.5 x realised (model estimate, or the pullback)."""
import math

import components.exit.ev_trail  # noqa: F401
import registry
from components.types.risk import ExitContext



def build(**kw):
    return registry.build("exit", {"component": "ev_trail", **kw}, path="exits.ev_trail")


def test_without_model_exits_when_pullback_exceeds_half_the_gain(position, price_for_return):
    ev = build()
    ts = position.entry_ts_ms + 1000
    position.peak_return = 0.006
    # realised 0.0041: pullback 0.0019 < 0.5 x 0.0041 = 0.00205 -> hold
    assert ev.check(position, price_for_return(position, 0.0041), ts) is None
    # realised 0.0039: pullback 0.0021 > 0.00195 -> exit (peak 0.6 % -> exit below 0.4 %)
    sig = ev.check(position, price_for_return(position, 0.0039), ts)
    assert sig.reason == "ev_trail" and not sig.is_stop


def test_not_armed_below_arm_pct_and_never_on_a_loss(position, price_for_return):
    ev = build()
    ts = position.entry_ts_ms + 1000
    position.peak_return = 0.0015                                       # below the 0.20 % arm level
    assert ev.check(position, price_for_return(position, 0.0001), ts) is None
    position.peak_return = 0.01
    assert ev.check(position, price_for_return(position, -0.001), ts) is None   # losses: stops' job


def test_model_expected_return_drives_the_rule(position, price_for_return):
    ev = build()
    ts = position.entry_ts_ms + 1000
    position.peak_return = 0.004
    px = price_for_return(position, 0.004)                             # at the peak: no pullback
    assert ev.check(position, px, ts, ExitContext(expected_return=-0.0019)) is None   # > -0.002
    assert ev.check(position, px, ts, ExitContext(expected_return=-0.0021)) is not None
    assert ev.check(position, px, ts, ExitContext(expected_return=math.nan)) is None  # falls back: no pullback
