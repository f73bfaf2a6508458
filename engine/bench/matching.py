"""`scalp bench matching [--json] [--runs N] [--quick]`: replay + simulated matching speed on the Binance set, bar replay speed.

Measures (1 warm-up incl. JIT, then N timed runs, median; load time reported apart):
- replay_match: numba replay of all book/trade events with a static ladder of resting post-only
  orders (no decisions) -> events/s;
- quote_one: the peers' one-order quoting workload (1 s timer, post-only at best bid/ask, BTC traded,
  ETH replayed) -> events/s and new/replace/fill counts (compare ../shared/bench/peers/README.md);
- sim_exchange: the event-driven SimExchange (what `scalp backtest` drives) on the same events;
- bar: SimExchange candle replay with resting orders on Upbit 1m candles -> candles/s.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("SCALP_SHARED_DATA", ROOT.parent / "shared" / "data"))
SYMBOLS = ("BTCUSDT", "ETHUSDT")


def load_binance(data: Path = DATA):
    """Merged columnar events of both symbols: (ev arrays, trade arrays, book matrices, batches)."""
    from components.types.feed.loaders import load_books, load_trades
    from components.types.events import BOOK, TRADE, merge_order
    trades = [load_trades(data / "binance_spot" / f"trades_{s}.csv.gz", s) for s in SYMBOLS]
    books = [load_books(data / "binance_spot" / f"orderbook_{s}.csv.gz", s) for s in SYMBOLS]
    ts_list, kinds, mkts, rows = [], [], [], []
    t_off, b_off = 0, 0
    for m, (tb, bb) in enumerate(zip(trades, books)):
        ts_list += [tb.ts_ms, bb.ts_ms]
        kinds += [TRADE, BOOK]
        mkts += [m, m]
        rows += [np.arange(len(tb)) + t_off, np.arange(len(bb)) + b_off]
        t_off += len(tb)
        b_off += len(bb)
    stream, row = merge_order(ts_list, kinds)
    ev_kind = np.asarray(kinds, np.int8)[stream]
    ev_mkt = np.asarray(mkts, np.int64)[stream]
    ev_row = np.concatenate(rows)[np.cumsum([0] + [len(t) for t in ts_list[:-1]])[stream] + row]
    ev_ts = np.concatenate(ts_list)[np.cumsum([0] + [len(t) for t in ts_list[:-1]])[stream] + row]
    tr = tuple(np.ascontiguousarray(np.concatenate([getattr(t, k) for t in trades]))
               for k in ("price", "volume", "side"))
    bk = tuple(np.ascontiguousarray(np.concatenate([getattr(b, k) for b in books]))
               for k in ("bid_px", "bid_sz", "ask_px", "ask_sz"))
    return (ev_kind, ev_mkt, ev_row.astype(np.int64), ev_ts.astype(np.int64)), tr, bk, trades, books


def ladder(ev, bk, every_ms: int = 1000, levels: int = 10):
    """Passive orders placed from the data, no strategy: per market every `every_ms` one post-only order at
    book level (i mod `levels`), alternating bid/ask, priced from the last book before it (so hundreds rest
    at once and deep ones wait long)."""
    ev_kind, ev_mkt, ev_row, ev_ts = ev
    bpx, _, apx, _ = bk
    o_mkt, o_side, o_px, o_arr = [], [], [], []
    for m in np.unique(ev_mkt):
        sel = np.flatnonzero((ev_mkt == m) & (ev_kind == 2))
        b_ts, b_row = ev_ts[sel], ev_row[sel]
        for n, t in enumerate(range(int(b_ts[0]), int(b_ts[-1]), every_ms)):
            r = b_row[np.searchsorted(b_ts, t, side="right") - 1]
            k, side = n % levels, 1 if n % 2 == 0 else -1
            o_mkt.append(m); o_side.append(side); o_px.append(bpx[r, k] if side > 0 else apx[r, k]); o_arr.append(t + 1)
    order = np.argsort(o_arr, kind="stable")
    return (np.asarray(o_mkt, np.int64)[order], np.asarray(o_side, np.int64)[order],
            np.asarray(o_px)[order], np.asarray(o_arr, np.int64)[order])


def _time(fn, runs: int, warmup: int = 1):
    out, times = None, []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt)
    return statistics.median(times), times, out


def bench_kernels(runs: int, every_ms: int = 5000) -> dict:
    from engine.bench._bulk import quote_one, replay_match
    t0 = time.perf_counter()
    ev, tr, bk, trades, books = load_binance()
    load_s = time.perf_counter() - t0
    n = len(ev[0])
    o_mkt, o_side, o_px, o_arr = ladder(ev, bk, every_ms)
    nf_cap = 100_000

    def run_ladder():
        f = (np.zeros(nf_cap, np.int64), np.zeros(nf_cap), np.zeros(nf_cap), np.zeros(nf_cap, np.int64))
        state = np.zeros(len(o_mkt), np.int64)
        rem = np.full(len(o_mkt), 0.01)
        nf = replay_match(*ev, *tr, *bk, o_mkt, o_side, o_px, rem, o_arr, state, 0.0, *f)
        return nf, int((state == 2).sum()), int((state == 1).sum())

    def run_replay():
        e = np.zeros(0, np.int64)
        return replay_match(*ev, *tr, *bk, e, e, np.zeros(0), np.zeros(0), e, e.copy(), 0.0,
                            e, np.zeros(0), np.zeros(0), e)

    def run_quote():
        return quote_one(*ev, *tr, *bk, 0.001, 1000, 0, 0.0, np.zeros(8))

    t0 = time.perf_counter()
    run_quote(); run_ladder()
    jit_s = time.perf_counter() - t0
    med_r, _, _ = _time(run_replay, runs)
    med_l, _, (nf, n_done, n_left) = _time(run_ladder, runs)
    med_q, tq, st = _time(run_quote, runs)
    return {"events": n, "load_s": round(load_s, 3), "first_call_incl_jit_s": round(jit_s, 3),
            "kernel_replay_only_events_per_s": round(n / med_r),
            "replay_match_ladder": {"order_every_ms": every_ms, "events_per_s": round(n / med_l), "run_ms": round(med_l * 1e3, 3),
                                    "orders": len(o_mkt), "fills": int(nf), "orders_done": n_done,
                                    "still_resting_at_end": n_left},
            "quote_one": {"events_per_s": round(n / med_q), "run_ms": round(med_q * 1e3, 3),
                          "new": int(st[0]), "replace": int(st[1]), "cancel": int(st[2]),
                          "fill_events": int(st[3]), "orders_filled": int(st[4]), "timers": int(st[5]),
                          "position": round(float(st[6]), 6), "post_only_rejects": int(st[7])},
            "_batches": (trades, books)}


def build_events(trades, books) -> list[tuple[int, int, int, object]]:
    """Event objects of both symbols as (ts, kind, market index, event), Upbit-style codes KRW-BTC/KRW-ETH
    (prices stay in USDT); sorted with merge_order's tie rule (time, kind, market)."""
    import dataclasses

    from components.types.stream import MarketStream
    evs = []
    for m, (tb, bb) in enumerate(zip(trades, books)):
        mk = "KRW-" + tb.market.removesuffix("USDT")
        s = MarketStream.build(mk, trades=dataclasses.replace(tb, market=mk), books=dataclasses.replace(bb, market=mk))
        evs += [(int(s.ts_ms[i]), int(s.kind[i]), m, s.event(i)) for i in range(len(s))]
    evs.sort(key=lambda x: (x[0], x[1], x[2]))
    return evs


def sim_for_binance(fill_model=None):
    """A SimExchange for the USDT-priced Binance set: 0.01 tick, no KRW minimum."""
    import registry
    SimExchange = registry.get("exchange", "sim")
    ex = SimExchange(SimExchange.Params(min_total_krw=0, tick_sizes={"KRW-BTC": 0.01, "KRW-ETH": 0.01}))
    return ex.bind(fill_model=fill_model, balances={"KRW": 1e9, "BTC": 10.0, "ETH": 100.0}, seed=0)


def python_quoting(evs, ex, qty: float = 0.001, timer_ms: int = 1000):
    """The peers' one-order rule driven through the public SimExchange API (replace = cancel + new)."""
    stats = dict(new=0, replace=0, cancel=0, filled=0)
    pos, order, last, next_t = 0.0, None, None, None
    for ts, _, m, e in evs:
        if next_t is None:
            next_t = ts + timer_ms
        while ts >= next_t:
            if last is not None:
                side = "bid" if pos <= 1e-12 else "ask"
                px = float(last.bid_px[0] if side == "bid" else last.ask_px[0])
                live = order is not None and order.state == "wait"
                if not (live and order.side == side and order.price == px):
                    if live:
                        ex.cancel_order(order.uuid, ts_ms=next_t)
                        stats["replace" if order.side == side else "cancel"] += 1
                    if not (live and order.side == side):
                        stats["new"] += 1
                    order = ex.create_order("KRW-BTC", side, "limit", volume=qty, price=px,
                                            time_in_force="post_only", ts_ms=next_t)
            next_t += timer_ms
        ex.on_event(e)
        if m == 0 and e.kind == 2:
            last = e
        for f in ex.drain_fills():
            pos += f.volume if f.side == "bid" else -f.volume
            if ex.get_order(f.order_uuid).state == "done":
                stats["filled"] += 1
    return stats, pos


def bench_sim_exchange(trades, books, runs: int) -> dict:
    """The event-driven SimExchange (what the backtest loop drives): pure replay, and the peers' workload."""
    evs = build_events(trades, books)

    def replay():
        ex = sim_for_binance()
        for _, _, _, e in evs:
            ex.on_event(e)
        return ex

    def quote():
        return python_quoting(evs, sim_for_binance())
    med_r, _, _ = _time(replay, max(1, runs // 2))
    med_q, _, (st, pos) = _time(quote, max(1, runs // 2))
    return {"replay_events_per_s": round(len(evs) / med_r),
            "quote_one": {"events_per_s": round(len(evs) / med_q), "run_ms": round(med_q * 1e3, 1),
                          "new": st["new"], "replace": st["replace"], "cancel": st["cancel"],
                          "orders_filled": st["filled"], "position": round(pos, 6)}}


def bench_bar(runs: int) -> dict:
    import registry
    from components.types.feed.loaders import load_candles
    SimExchange, BarFill = registry.get("exchange", "sim"), registry.get("fill_model", "bar")
    cb = load_candles(DATA / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    candles = [cb.row(i) for i in range(len(cb))]

    def run():
        ex = SimExchange(SimExchange.Params())
        ex.bind(fill_model=BarFill(BarFill.Params(order_latency_ms=0)), balances={"KRW": 1e12, "BTC": 1e3})
        fills = 0
        for i, c in enumerate(candles):
            ex.on_candle(c)
            if i % 10 == 0:      # keep a bid and an ask resting 0.1 % away, re-placed every 10 bars
                for o in ex.open_orders("KRW-BTC"):
                    ex.cancel_order(o.uuid)
                tick = ex.tick_size("KRW-BTC", c.close)
                ex.create_order("KRW-BTC", "bid", "limit", volume=0.001, price=(c.close * 0.999 // tick) * tick)
                ex.create_order("KRW-BTC", "ask", "limit", volume=0.001, price=-(-c.close * 1.001 // tick) * tick)
            fills += len(ex.drain_fills())
        return fills
    def replay_only():
        ex = SimExchange(SimExchange.Params())
        ex.bind(fill_model=BarFill(BarFill.Params()), balances={"KRW": 1e9})
        for c in candles:
            ex.on_candle(c)
    med, _, nf = _time(run, max(1, runs // 2))
    med0, _, _ = _time(replay_only, max(1, runs // 2))
    return {"candles": len(candles), "candles_per_s": round(len(candles) / med), "run_ms": round(med * 1e3, 1),
            "fills": nf, "orders": "bid+ask 0.1 % away, re-placed every 10 bars",
            "no_orders_candles_per_s": round(len(candles) / med0)}


def measure(runs: int = 5, every_ms: int = 5000, python: bool = True) -> dict:
    """All matching figures as one dict (what `scalp bench replay` folds in)."""
    res = bench_kernels(runs, every_ms)
    trades, books = res.pop("_batches")
    if python:
        res["sim_exchange"] = bench_sim_exchange(trades, books, runs)
        res["bar"] = bench_bar(runs)
    res["runs"] = runs
    return res


def _print(res: dict) -> None:
    from engine.i18n import t
    ev_u, c_u = t("bench.matching.events_unit"), t("bench.matching.candles_unit")
    row = lambda name, rate, unit, detail="": print(t("bench.matching.row", name=name, rate=f"{rate:,}", unit=unit, detail=detail))  # noqa: E731
    print(t("bench.matching.header", events=res["events"], load_s=res["load_s"], jit_s=res["first_call_incl_jit_s"], runs=res["runs"]))
    lad, q = res["replay_match_ladder"], res["quote_one"]
    row("kernel replay (no orders)", res["kernel_replay_only_events_per_s"], ev_u)
    row("kernel replay + matching", lad["events_per_s"], ev_u,
        t("bench.matching.ladder_detail", orders=lad["orders"], every_ms=lad["order_every_ms"], fills=lad["fills"]))
    row("kernel quote_one", q["events_per_s"], ev_u,
        t("bench.matching.quote_detail", new=q["new"], replace=q["replace"], filled=q["orders_filled"]))
    if "sim_exchange" in res:
        sq = res["sim_exchange"]["quote_one"]
        row("SimExchange replay", res["sim_exchange"]["replay_events_per_s"], ev_u)
        row("SimExchange quote_one", sq["events_per_s"], ev_u,
            t("bench.matching.quote_detail", new=sq["new"], replace=sq["replace"], filled=sq["orders_filled"]))
        row("SimExchange bar replay", res["bar"]["candles_per_s"], c_u, f"{res['bar']['candles']} x 1m KRW-BTC, {res['bar']['orders']}")
        row("SimExchange bar, no orders", res["bar"]["no_orders_candles_per_s"], c_u)
    print(t("bench.matching.peers"))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="scalp bench matching")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-python", action="store_true", help="only the numba kernels")
    ap.add_argument("--every-ms", type=int, default=5000, help="ladder: one passive order per market every N ms")
    ap.add_argument("--quick", action="store_true", help="one run of the numba kernels only (a smoke test)")
    a = ap.parse_args(argv)
    res = measure(1 if a.quick else a.runs, a.every_ms, not (a.skip_python or a.quick))
    if a.json:
        print(json.dumps(res))
    else:
        _print(res)
    return 0
