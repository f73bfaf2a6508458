"""Tick-level backtests: the real Binance set (renamed to KRW codes) and the 2021 Upbit captures."""
import dataclasses

import pytest

import registry
from components.types.feed.loaders import load_books, load_trades
from components.types.stream import MarketStream
from engine.app import compose, job_config
from engine.backtest import run_backtest

TICK = ["features=[spread_pct,bid_ask_imbalance,ofi]", "towers=[random_entry]", "towers.random_entry.entry_rate=0.3",
        "fill_model=queue_conservative", "exits.time_stop.after_s=20", "limits.cooldown_s=5", "killswitches=[]"]


def cfg_of(*overrides):
    registry.load_all()
    return job_config(compose(list(overrides)))


@pytest.fixture(scope="module")
def binance(shared_data):
    out = {}
    for sym, m in (("BTCUSDT", "KRW-BTC"), ("ETHUSDT", "KRW-ETH")):
        d = shared_data / "binance_spot"
        tr = dataclasses.replace(load_trades(d / f"trades_{sym}.csv.gz", sym), market=m)
        bk = dataclasses.replace(load_books(d / f"orderbook_{sym}.csv.gz", sym), market=m)
        out[m] = MarketStream.build(m, trades=tr, books=bk)
    return out


def _printed(stream: MarketStream) -> set[float]:
    px = set(stream.trades.price.tolist()) if stream.trades is not None else set()
    if stream.books is not None:
        px |= set(stream.books.bid_px.ravel().tolist()) | set(stream.books.ask_px.ravel().tolist())
    return px


def test_binance_tick_backtest_fills_only_at_printed_prices(binance):
    cfg = cfg_of(*TICK, "initial_krw=100000", "markets=[KRW-BTC,KRW-ETH]")
    res = run_backtest(cfg, streams=binance, use_store=False, write_report=False)
    assert res.data.meta["events"] == sum(len(s) for s in binance.values())
    fills = res.data.fills
    assert res.summary["trades"] >= 4 and len(fills) >= 8
    for m, s in binance.items():
        printed = _printed(s)
        assert all(f["price"] in printed for f in fills if f["market"] == m)
    ts = [f["ts_ms"] for f in fills]
    assert ts == sorted(ts)
    assert res.summary["fees_krw"] == pytest.approx(0.0005 * sum(f["price"] * f["volume"] for f in fills))


def test_latency_delays_every_taker_fill(binance):
    one = {"KRW-BTC": binance["KRW-BTC"]}
    sent = {}
    for lat in (0, 200):
        cfg = cfg_of(*TICK, "initial_krw=100000", "markets=[KRW-BTC]", f"fill_model.order_latency_ms={lat}")
        res = run_backtest(cfg, streams=one, use_store=False, write_report=False)
        sent[lat] = res
    f0, f200 = sent[0].data.fills, sent[200].data.fills
    assert f0 and f200
    assert [(f["price"], f["volume"]) for f in f0] != [(f["price"], f["volume"]) for f in f200]
    # the first entry is decided at the same moment in both runs: with latency it fills >= 200 ms later
    assert f200[0]["ts_ms"] >= f0[0]["ts_ms"] + 200


def test_upbit_2021_captures_tick_backtest(bundled_data):
    cfg = cfg_of(*TICK, f"feed.path={bundled_data / 'upbit'}", "feed.tick_source=captures", "feed.kinds=[trade,book]",
                 "markets=[KRW-DAWN,KRW-LAMB,KRW-STX]", "towers.random_entry.entry_rate=0.5", "limits.cooldown_s=2",
                 "exits.time_stop.after_s=10")
    feed = registry.build("feed", cfg.feed, path="feed")
    streams = feed.load(list(cfg.markets))
    res = run_backtest(cfg, streams=streams, use_store=False, write_report=False)
    assert res.data.meta["events"] == sum(len(s) for s in streams.values()) > 500
    assert res.summary["trades"] >= 3
    for m, s in streams.items():
        printed = _printed(s)
        assert all(f["price"] in printed for f in res.data.fills if f["market"] == m)
