"""A restart with holdings and a stored peak: the equity switches wait for every held market's price (fetched over
REST from the local exchange server at start) instead of latching a false max_drawdown halt."""
import time

import pytest

import registry

MARKETS = ["KRW-DAWN", "KRW-STX"]


@pytest.fixture
def bridge():
    from engine.live.bridge import AsyncBridge
    b = AsyncBridge()
    yield b
    b.close()


def _server_prices(server, bridge):
    """The server answers /v1/ticker only after a market's first replayed trade: wait for both."""
    from engine.live.prices import fetch_prices
    rest = registry.build("exchange", {"component": "upbit", "base_url": server.base_url}, path="exchange")
    try:
        deadline = time.monotonic() + 20
        while True:
            prices = fetch_prices(rest, bridge, MARKETS)
            if len(prices) == len(MARKETS) or time.monotonic() > deadline:
                return prices
            time.sleep(0.2)
    finally:
        bridge.call(rest.close(), 5)



def test_restart_with_holdings_and_stored_peak_does_not_latch_a_halt(make_cfg, server, bridge, tmp_path):
    from engine.live.prices import price_holdings
    from engine.loop import EngineLoop
    from engine.loop.lifecycle import build_exchange
    from engine.risk.store_adapter import StoreRiskPersistence
    prices = _server_prices(server, bridge)
    assert set(prices) == set(MARKETS)
    cfg = make_cfg("paper", f"markets=[{','.join(MARKETS)}]", "exchange=sim", "initial_krw=500000",
                   "killswitches.max_drawdown.drawdown_pct=20")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "r.db")}, path="store")
    coins = {m.split("-")[1]: 250_000 / prices[m] for m in MARKETS}           # 250k KRW of each coin
    peak = 500_000 + 500_000
    prior = StoreRiskPersistence(store, namespace="paper")                   # what the killed session left
    prior.save_state("risk_manager", {"ts_ms": 1, "day": None, "last_trade_ms": {},
                                      "snapshot": {"peak_equity_krw": peak, "day_start_equity_krw": peak,
                                                   "equity_krw": peak, "consecutive_losses": 0}})
    prior.write_state()
    ex = build_exchange(cfg)
    ex.bind(balances=coins)
    loop = EngineLoop(cfg, exchange=ex, store=store, run_id=store.start_run("restart", mode="paper"),
                      markets=MARKETS)
    assert loop.risk.snapshot.peak_equity_krw == peak                        # restored from the store
    now = int(time.time() * 1000)

    # before any price: the valuation sees cash only (-50 %), the equity switches wait, nothing trips
    assert loop.execution.valuation()[0] == pytest.approx(500_000)
    loop._evaluate_risk(now)
    states = loop.risk.switch_states(now)
    assert states["max_drawdown"] == states["daily_loss"] == "waiting"
    assert states["consecutive_losses"] == "armed"
    assert not loop.risk.active_trips(now) and loop.risk.state.value == "ACTIVE"
    assert loop.risk.snapshot.peak_equity_krw == peak                        # a partial equity is no new peak

    # start prices over REST: every holding is valued, the switches run and find nothing wrong
    got = price_holdings(loop, bridge, cfg=cfg)
    assert set(got["prices"]) == set(MARKETS) and got["missing"] == []
    loop._evaluate_risk(now + 1000)
    assert loop.risk.unpriced == ()
    assert loop.risk.snapshot.equity_krw == pytest.approx(peak, rel=0.05)
    assert set(loop.risk.switch_states(now + 1000).values()) == {"armed"}
    assert not loop.risk.active_trips(now + 1000)

    # a real drawdown after valuation still halts (the gate delays, it does not disarm)
    for m in MARKETS:
        loop.md.last_px[m] = prices[m] * 0.3
    loop._evaluate_risk(now + 2000)
    assert "max_drawdown" in [t.switch for t in loop.risk.active_trips(now + 2000) if t.latched]
    store.close()
