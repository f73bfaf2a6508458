"""Execution quality in the backtest (the same Execution code as paper/live, on the simulated exchange):
limit-first at the touch with a market fallback, the slippage cap, and the slippage_p95 kill switch."""
import dataclasses

import pytest

import registry
from components.types.feed.loaders import load_books, load_trades
from components.types.stream import MarketStream
from engine.app import compose, job_config
from engine.backtest import run_backtest

TICK = ["features=[spread_pct,bid_ask_imbalance,ofi]", "towers=[random_entry]", "towers.random_entry.entry_rate=0.3",
        "fill_model=queue_conservative", "exits.time_stop.after_s=20", "limits.cooldown_s=5", "killswitches=[]",
        "initial_krw=100000", "markets=[KRW-BTC]"]


def cfg_of(*overrides):
    registry.load_all()
    return job_config(compose([*TICK, *overrides]))


@pytest.fixture(scope="module")
def btc(shared_data):
    d = shared_data / "binance_spot"
    tr = dataclasses.replace(load_trades(d / "trades_BTCUSDT.csv.gz", "BTCUSDT"), market="KRW-BTC")
    bk = dataclasses.replace(load_books(d / "orderbook_BTCUSDT.csv.gz", "BTCUSDT"), market="KRW-BTC")
    return {"with_books": {"KRW-BTC": MarketStream.build("KRW-BTC", trades=tr, books=bk)},
            "trades_only": {"KRW-BTC": MarketStream.build("KRW-BTC", trades=tr)}}


def orders_of(res):
    return res.loop.ex.closed_orders() + res.loop.ex.open_orders()


def test_limit_first_rests_at_the_touch_then_falls_back(btc):
    res = run_backtest(cfg_of("orders.limit_first.enabled=true", "orders.limit_first.fallback_after_ms=500"),
                       streams=btc["with_books"], use_store=False, write_report=False)
    q = res.loop.execution.quality()
    assert q["limit_first"] >= 2 and q["limit_first_filled"] + q["fallbacks"] <= q["limit_first"], q
    orders = orders_of(res)
    limits = [o for o in orders if o.ord_type == "limit"]
    assert len(limits) == q["limit_first"]
    market_like = [o for o in orders if o.ord_type in ("price", "market")]
    # every market order is the fallback of a timed-out limit (a remainder under the minimum is not sent)
    assert 1 <= len(market_like) <= q["fallbacks"]
    for o in limits:                                 # a limit fills at its price, never worse
        sign = 1 if o.side == "bid" else -1
        assert all(sign * (float(t["price"]) - float(o.price)) <= 1e-9 for t in o.trades)
    assert res.summary["fills"] >= 2


def test_slippage_cap_never_fills_beyond_the_cap(btc):
    res = run_backtest(cfg_of("orders.max_slippage_bps=1"), streams=btc["with_books"], use_store=False,
                       write_report=False)
    q = res.loop.execution.quality()
    orders = orders_of(res)
    assert orders and all(o.ord_type == "limit" and o.time_in_force == "ioc" for o in orders)
    assert q["capped_orders"] == len(orders)
    assert q["fills_measured"] >= 2 and q["slippage_p95_bps"] <= 1.0 + 1e-9, q


def test_slippage_p95_trips_when_fills_are_worse_than_decided(btc):
    # without a book the simulator fills takers at the last price + half the spread + slippage: every fill is
    # worse than its decision price (the last trade), so the p95 is positive and the switch must trip
    res = run_backtest(cfg_of("features=[cumdelta]", "entry=prob_threshold",
                              "+killswitches.slippage_p95.component=slippage_p95",
                              "+killswitches.slippage_p95.max_p95_bps=0.5", "+killswitches.slippage_p95.min_fills=3"),
                       streams=btc["trades_only"], use_store=False, write_report=False)
    q = res.loop.execution.quality()
    assert q["fills_measured"] >= 3 and q["slippage_p95_bps"] > 0.5, q
    trips = [t for t in res.data.trips if t["switch"] == "slippage_p95"]
    assert trips and trips[0]["action"] == "block_entries"
    first = trips[0]["ts_ms"]
    entries_after = [f for f in res.data.fills if f["side"] == "bid" and f["ts_ms"] > first + 1]
    assert not entries_after          # block_entries while the p95 stays high (it only grows here)
