"""Hard stop on net return (actual fills, both fees), at the exact threshold, on a real price path."""
import pytest
from hypothesis import given, strategies as st

import components.exit.hard_stop  # noqa: F401
import registry
from components.types.costs import UPBIT_FEE_RATE as FEE_RATE_KRW
from components.types.orders import Fill, Position
from components.types.risk import ExitContext



def test_threshold_is_net_of_both_fees(position, price_for_return):
    stop = registry.build("exit", {"component": "hard_stop", "loss_pct": 0.8}, path="exits.hard_stop")
    ts = position.entry_ts_ms + 1000
    assert stop.check(position, price_for_return(position, -0.0079), ts) is None
    sig = stop.check(position, price_for_return(position, -0.0081), ts)
    assert sig.reason == "hard_stop" and sig.is_stop and sig.net_return == pytest.approx(-0.0081)
    # a 0.7 % gross drop is already ~0.8 % net: the stop is on money, not on price
    avg_px = position.cost_krw / position.volume / (1 + FEE_RATE_KRW)
    assert stop.check(position, avg_px * (1 - 0.0071), ts) is not None


def test_loss_by_market_class_and_explicit_override(position, price_for_return):
    stop = registry.build("exit", {"component": "hard_stop"}, path="exits.hard_stop")
    ts = position.entry_ts_ms + 1000
    at_1pct = price_for_return(position, -0.010)
    assert stop.check(position, at_1pct, ts, ExitContext(market_class="majors")).is_stop     # -0.8 %
    assert stop.check(position, at_1pct, ts, ExitContext(market_class="alts")) is None        # -1.2 %
    assert stop.check(position, at_1pct, ts) is not None                                      # default majors
    fixed = registry.build("exit", {"component": "hard_stop", "loss_pct": 1.5}, path="exits.hard_stop")
    assert fixed.check(position, price_for_return(position, -0.013), ts, ExitContext(market_class="majors")) is None


def test_alts_loss_on_a_real_path(btc, buy):
    stop = registry.build("exit", {"component": "hard_stop"}, path="exits.hard_stop")
    alts = ExitContext(market_class="alts")
    pos = buy(Position("KRW-BTC"), float(btc.close[0]), 50_000.0, int(btc.ts_ms[1]))
    first = None
    for i in range(1, len(btc)):
        if stop.check(pos, float(btc.close[i]), int(btc.ts_ms[i]) + 60_000, alts):
            first = i
            break
    # independent: first bar whose close nets <= -1.2 % on the booked cost
    nets = [pos.volume * float(c) * (1 - FEE_RATE_KRW) / pos.cost_krw - 1 for c in btc.close[1:]]
    expect = next((j + 1 for j, r in enumerate(nets) if r <= -0.012), None)
    assert first == expect and first is not None


def test_partial_sell_keeps_exact_average(position, price_for_return):
    stop = registry.build("exit", {"component": "hard_stop"}, path="exits.hard_stop")
    px = price_for_return(position, -0.0085)
    before = position.net_return(px, FEE_RATE_KRW)
    half = position.volume / 2
    position.apply(Fill("KRW-BTC", "o2", "ask", px, half, px * half * FEE_RATE_KRW, position.entry_ts_ms + 5))
    assert position.net_return(px, FEE_RATE_KRW) == pytest.approx(before)          # same average cost per unit
    assert stop.check(position, px, position.entry_ts_ms + 10).is_stop
    assert stop.check(Position("KRW-BTC"), px, 0) is None            # flat: nothing to stop


@given(st.lists(st.tuples(st.floats(1_000, 2_000), st.floats(0.01, 5)), min_size=1, max_size=6),
       st.floats(500, 2_500))
def test_fires_exactly_when_fills_net_below_the_loss(fills, price):
    """Independent of Position: cost = Σ p·v·(1+fee) over partial buys; sale nets V·price·(1-fee)."""
    pos = Position("KRW-X")
    for k, (p, v) in enumerate(fills):
        pos.apply(Fill("KRW-X", "o", "bid", p, v, p * v * FEE_RATE_KRW, k))
    cost = sum(p * v * (1 + FEE_RATE_KRW) for p, v in fills)
    net = sum(v for _, v in fills) * price * (1 - FEE_RATE_KRW) / cost - 1
    stop = registry.build("exit", {"component": "hard_stop", "loss_pct": 0.8}, path="exits.hard_stop")
    fired = stop.check(pos, price, 10) is not None
    if abs(net + 0.008) > 1e-9:                      # away from float ties at the threshold
        assert fired == (net <= -0.008)
