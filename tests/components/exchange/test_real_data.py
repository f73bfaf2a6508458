"""Real-data runs: an Upbit 2021 KRW-ADA/KRW-STX replay through the event-driven SimExchange keeps every Upbit rule
(the bulk-kernel equivalence tests live with the kernel in tests/engine/bench/test_bulk_kernels.py)."""
import pytest

from components.exchange.sim import SimExchange
from components.types.tick import on_grid, table_tick
from components.fill_model.queue_conservative import QueueConservative


@pytest.mark.parametrize("market", ["KRW-ADA", "KRW-STX"])
def test_upbit_2021_replay_with_latency_keeps_upbit_rules(shared_data, market):
    from components.types.feed.loaders import load_books, load_trades
    from components.types.stream import MarketStream
    d = shared_data / "upbit" / "ticks_2021"
    s = MarketStream.build(market, trades=load_trades(d / f"trades_{market}.csv.gz", market),
                           books=load_books(d / f"orderbook_{market}.csv.gz", market))
    fm = QueueConservative(QueueConservative.Params(order_latency_ms=50, latency_dist="lognormal", seed=7))
    ex = SimExchange(SimExchange.Params()).bind(fill_model=fm, balances={"KRW": 1_000_000.0}, seed=7)
    base = market.split("-")[1]
    n_orders, last_decision, fills = 0, 0, []
    for i in range(len(s)):
        e = s.event(i)
        ex.on_event(e)
        fills += ex.drain_fills()
        if e.kind == 2 and e.ts_ms - last_decision >= 2000:      # a decision every 2 s of data
            last_decision = e.ts_ms
            for o in ex.open_orders(market):
                ex.cancel_order(o.uuid, ts_ms=e.ts_ms)
            coins = ex.balance(base)[0]
            if coins * e.bid_px[0] >= 5000:
                ex.create_order(market, "ask", "market", volume=round(coins, 8), ts_ms=e.ts_ms)
            else:
                ex.create_order(market, "bid", "limit", volume=round(6000 / e.bid_px[0], 8),
                                price=float(e.bid_px[0]), ts_ms=e.ts_ms)
            n_orders += 1
    assert n_orders >= 10 and fills
    krw_total = sum(ex.balance("KRW"))
    net = sum(f.price * f.volume * (1 if f.side == "bid" else -1) for f in fills)
    assert krw_total + net + ex.fees_paid_krw == pytest.approx(1_000_000.0)
    for f in fills:
        assert on_grid(f.price, table_tick(f.price)) and f.fee_krw == pytest.approx(f.price * f.volume * 0.0005)
    assert all(o.arrival_ms > o.created_ms for o in ex.open_orders() + ex.closed_orders())
