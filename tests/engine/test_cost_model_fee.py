"""`exchange.fee_rate=0.0004` reaches every part of the engine that prices a trade, through the one cost model:
sim fills, exits (profit target, fee floor), sizing and the entry's expected net return — each shown apart."""
import numpy as np
import pytest

import registry
from components.types.entry import EntryContext
from components.types.events import Candle
from components.types.orders import Fill, Position
from components.types.risk import ExitSignal
from engine.app import compose, job_config
from engine.loop import EngineLoop

M = "KRW-BTC"
PX = 150_000_000.0
FEES = (0.0005, 0.0004)          # the Upbit default, and the override


def _loop(fee: float) -> EngineLoop:
    registry.load_all()
    cfg = job_config(compose(["towers=[momentum_rule]", "entry=cost_aware", "exits=majors",
                              "sizing=confidence_proportional", f"exchange.fee_rate={fee}"]))
    return EngineLoop(cfg, markets=[M], host_metrics=False)


@pytest.fixture(scope="module")
def loops() -> dict[float, EngineLoop]:
    return {fee: _loop(fee) for fee in FEES}


def _position(fee: float, buy_px: float = PX, notional: float = 100_000.0) -> Position:
    pos = Position(M)
    vol = notional / buy_px
    pos.apply(Fill(M, "o", "bid", buy_px, vol, buy_px * vol * fee, 0))
    return pos


def test_every_part_that_prices_a_trade_holds_the_one_model(loops):
    lp = loops[0.0004]
    parts = [lp.ex, lp.risk, lp.risk.sizing, lp.risk.exits, lp.om, lp.entry,
             *(obj for _, obj in lp.risk.exits.triggers + lp.risk.exits.filters)]
    assert lp.costs.fee_rate == 0.0004 and lp.fee_rate == 0.0004
    assert all(p.costs is lp.costs for p in parts), [type(p).__name__ for p in parts if p.costs is not lp.costs]


def test_fee_rate_changes_the_simulated_fills_fee(loops):
    got, m = {}, "KRW-ETH"                         # its bars must not move the spread the entry test sees
    for fee, lp in loops.items():
        for k in range(25):
            lp.ex.on_event(Candle(m, k * 60_000, PX, PX * 1.001, PX * 0.999, PX, 10.0))
        lp.ex.create_order(m, "bid", "price", price="100000", ts_ms=25 * 60_000)
        lp.ex.advance(25 * 60_000 + 1_000)
        (fill,) = lp.ex.drain_fills()
        got[fee] = fill.fee_krw / (fill.price * fill.volume)
    assert got == pytest.approx({0.0005: 0.0005, 0.0004: 0.0004}, rel=1e-9)


def test_fee_rate_changes_the_exits_net_return_and_fee_floor(loops):
    target = 0.007                                            # exits=majors: profit_target 0.70 % net
    # a sale price that nets just above the target at 0.04 % per side, below it at 0.05 %
    sell = PX * (1 + target + 2e-5) * (1 + 0.0004) / (1 - 0.0004)
    sig = {fee: lp.risk.check_exit(_position(fee), sell, 1_000) for fee, lp in loops.items()}
    assert sig[0.0005] is None
    assert sig[0.0004] is not None and sig[0.0004].reason == "profit_target"
    # the fee floor vetoes a non-stop exit that would not cover both fees: break-even depends on the fee
    even = PX * (1 + 0.0004) / (1 - 0.0004) * (1 + 1e-5)
    floor = {fee: next(f for _, f in lp.risk.exits.filters) for fee, lp in loops.items()}
    allowed = {fee: floor[fee].allows(_position(fee), even, ExitSignal("x", is_stop=False)) for fee in FEES}
    assert allowed == {0.0005: False, 0.0004: True}


def test_fee_rate_changes_sizing(loops):
    sizes = {fee: lp.risk.sizing.size_krw(1_000_000.0, 1.0) for fee, lp in loops.items()}
    # the whole balance at full confidence: the cap is what the balance pays with the buy fee
    assert sizes == {0.0005: 999_500.0, 0.0004: 999_600.0}


def test_fee_rate_changes_the_entry_decision(loops):
    ctx = EntryContext(market=M, price=PX)
    grid = np.linspace(0.5, 1.0, 501)
    verdicts = {fee: [lp.entry.decide(float(p), ctx) for p in grid] for fee, lp in loops.items()}
    nets = {fee: np.array([v.expected_net for v in vs]) for fee, vs in verdicts.items()}
    np.testing.assert_allclose(nets[0.0004] - nets[0.0005], 2 * (0.0005 - 0.0004), rtol=1e-9)
    enter = {fee: np.array([v.enter for v in vs]) for fee, vs in verdicts.items()}
    assert np.all(enter[0.0004] >= enter[0.0005])             # a cheaper fee never refuses what a dearer one takes
    assert np.any(enter[0.0004] & ~enter[0.0005])             # and some probabilities enter only at 0.04 %
