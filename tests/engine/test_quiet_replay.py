"""Skipping quiet tick runs (engine/loop/quiet.py + SimExchange.replay_quiet) changes nothing: the same orders,
fills, rows, metrics, prices, queue state and peaks as feeding every event to `on_event`, on real Binance data."""
import dataclasses
import math

import numpy as np
import pytest

import registry
from components.types.feed.merge import iter_merged
from components.types.stream import MarketStream
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.bench._workloads import PEERS_QUOTE, peers_streams
from engine.loop.core import EngineLoop
from engine.loop.lifecycle import drive
from engine.loop.quiet import QuietReplay


def cfg_of(*overrides):
    registry.load_all()
    return job_config(compose(list(overrides)))


@pytest.fixture(scope="module")
def binance(shared_data):
    out = peers_streams(shared_data)
    if out is None:
        pytest.skip(f"{shared_data / 'binance_spot'} not found")
    return out


def _run(cfg, streams, quiet: bool):
    """Drive a fresh loop event by event or with quiet runs skipped; keep every row the recorder flushes."""
    loop = EngineLoop(cfg, markets=sorted(streams), host_metrics=False)
    rows: dict[str, list] = {}
    flush = loop.recorder.flush

    def keep():
        for k, v in loop.recorder.buf.items():
            rows.setdefault(k, []).extend(v)
        flush()
    loop.recorder.flush = keep
    events = QuietReplay(loop, streams) if quiet else iter_merged(streams, 0.0)
    seen = []
    on_event = loop.on_event
    loop.on_event = lambda ev: (seen.append(ev.ts_ms), on_event(ev))
    drive(loop, events, sum(len(s) for s in streams.values()), None, None)
    return loop, rows, seen, events


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    return a == b


def _state(loop) -> dict:
    """Everything a quiet event may touch or an order/fill depends on."""
    ex, om = loop.ex, loop.om
    return {
        "orders": [dataclasses.astuple(o)[:-1] + (o.trades,) for o in ex._orders.values()],
        "markets": {m: (st.last_px, st.tick_data, st.bid_px, st.ask_sz, st.used_bid, st.resting and
                        [(o.uuid, o.queue_ahead, o.level_seen, o.traded_at_level) for o in st.resting])
                    for m, st in ex._mkt.items()},
        "accounts": ex.accounts(), "ex_now": ex.now_ms, "fees": ex.fees_paid_krw,
        "metrics": loop.metrics.as_dict(), "costs_book": dict(loop.costs._seen.book),
        "last_px": dict(loop.md.last_px), "bid": dict(loop.md.best_bid), "ask": dict(loop.md.best_ask),
        "printed": sorted(loop.md.printed), "positions": dict(loop.positions), "events": loop.events,
        "now": loop.now_ms, "poll_ms": om._last_poll_ms, "counts": dict(om.quote_counts),
        "rejected": [(mo.intent, why) for mo, why in om.rejected], "trips": loop.ledger.data.trips,
        "equity": loop.ledger.data.equity, "timers": loop.quoter.ticks if loop.quoter else None,
    }


def _assert_same(cfg, streams):
    slow, slow_rows, slow_seen, _ = _run(cfg, streams, quiet=False)
    fast, fast_rows, fast_seen, replay = _run(cfg, streams, quiet=True)
    n = sum(len(s) for s in streams.values())
    assert len(slow_seen) == n and replay.consumed == n
    assert len(fast_seen) < n / 2              # most events were quiet: the kernels did run
    assert _same(slow_rows, fast_rows)
    a, b = _state(slow), _state(fast)
    for k in a:
        assert _same(a[k], b[k]), k
    return slow, fast


def test_quote_workload_is_identical_with_quiet_runs_skipped(binance):
    cfg = cfg_of(*PEERS_QUOTE)
    assert QuietReplay.eligible(EngineLoop(cfg, markets=sorted(binance), host_metrics=False), binance)
    slow, fast = _assert_same(cfg, binance)
    assert slow.om.quote_counts["filled"] > 50                  # the comparison saw fills and round trips
    assert any(p.volume > 0 for p in slow.positions.values()) or slow.ledger.data.fills


@pytest.mark.parametrize("extra", [
    ["fill_model=queue_probabilistic", "fill_model.order_latency_ms=150", "orders.poll_interval_ms=700"],
    ["entry.requote_interval_ms=3700", "killswitches=standard", "fill_model.order_latency_ms=40"],
    ["entry.markets=[KRW-BTC,KRW-ETH]", "entry.volume=0.01"],      # resting orders on both markets
])
def test_latency_probabilistic_queue_and_poll_clock_are_identical(binance, extra):
    cfg = cfg_of(*PEERS_QUOTE, *extra)
    _assert_same(cfg, binance)


def test_backtest_results_equal_with_and_without_skipping(binance):
    """`scalp backtest`'s own call (progress bar on): the bar counts skipped events, the results are equal."""
    import io

    from rich.console import Console
    cfg = cfg_of(*PEERS_QUOTE)
    a = run_backtest(cfg, streams=binance, use_store=False, write_report=False, batch=False)
    out = io.StringIO()
    b = run_backtest(cfg, streams=binance, use_store=False, write_report=False, progress=True,
                     console=Console(file=out, width=120))
    n = sum(len(s) for s in binance.values())
    assert f"{n}/{n}" in out.getvalue()
    assert a.data.meta["events"] == b.data.meta["events"] == n
    assert a.loop.om.quote_counts == b.loop.om.quote_counts
    assert a.data.fills == b.data.fills and a.data.trips == b.data.trips
    assert {k: v for k, v in a.summary.items() if k != "wall_s"} == {k: v for k, v in b.summary.items()
                                                                    if k != "wall_s"}


def test_loops_that_read_every_event_are_not_skipped(binance):
    """Features, exit triggers or towers read every event: such replays go through on_event event by event."""
    for extra in (["features=[spread_pct]"], ["exits=majors"]):
        loop = EngineLoop(cfg_of(*PEERS_QUOTE, *extra), markets=sorted(binance), host_metrics=False)
        assert not QuietReplay.eligible(loop, binance), extra
    short = {m: MarketStream(s.market, None, s.trades, s.books, s.kind[:3000], s.row[:3000], s.ts_ms[:3000])
             for m, s in binance.items()}
    base = [o for o in PEERS_QUOTE if not o.startswith(("entry", "towers"))]
    cfg = cfg_of(*base, "towers=[random_entry]", "towers.random_entry.entry_rate=0.3")
    loop, _, seen, replay = _run(cfg, short, quiet=True)
    assert len(seen) == replay.consumed == 6000
