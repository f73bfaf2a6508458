"""Backtest: recorded data -> the engine loop over a simulated exchange -> store, summary, HTML report."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import registry
from engine.ledger import RunData
from engine.loop import EngineLoop, plain
from engine.loop.lifecycle import drive, finish, open_run


@dataclass
class BacktestResult:
    """What a finished backtest hands back: run id, the ledger data, the summary dict, the report path."""
    run_id: int | None
    data: RunData
    summary: dict
    report: Path | None
    loop: EngineLoop


def build_universe(cfg: Any) -> Any:
    node = plain(cfg.get("universe"))
    return registry.build("universe", node, path="universe") if node else None


def select_markets(cfg: Any, available: list[str], universe: Any = None) -> list[str]:
    """The universe's choice among the markets the data has (the root `markets` without a universe)."""
    root = list(cfg.get("markets") or [])
    if universe is not None:
        return universe.select(available, root_markets=root)
    return sorted(m for m in root if m in set(available))


def untrained_towers(cfg: Any) -> list[str]:
    """Ids of selected towers that cannot step before a fit (`trainable`) and have no saved model."""
    out = []
    for tid, node in (plain(cfg.get("towers")) or {}).items():
        node = node or {}
        cls = registry.get("tower", str(node.get("component", tid)), path=f"towers.{tid}")
        if getattr(cls, "trainable", False) and not node.get("model_path"):
            out.append(str(tid))
    return out


def run_backtest(cfg: Any, streams: dict | None = None, store: Any = None, use_store: bool = True,
                 progress: bool = False, write_report: bool = True, console: Any = None,
                 quality: dict | None = None, batch: bool = True, prepare: Any = None) -> BacktestResult:
    """Run one backtest of `cfg` (the composed root config). `streams` ({market: MarketStream}) bypasses
    the feed (tests, other data sets); `store` overrides `cfg.store`; `use_store=False` keeps it in memory.
    `batch` computes the features (and the scores of towers that allow it) of candle-only replays before
    the loop and lets the exchange skip quiet runs of tick events (engine/loop/quiet.py); `batch=False` runs
    everything event by event (same decisions, orders and fills, tests compare both). `prepare(loop)` is
    called once the loop is built (parity wires the session's market flags there)."""
    from components.types.feed.merge import iter_merged
    registry.load_all()
    untrained = untrained_towers(cfg)
    if untrained:      # a model that was never fitted cannot trade: say what to do instead of failing mid-run
        from engine.i18n import t
        raise registry.ConfigError([(f"towers.{tid}", t("backtest.untrained", tower=tid)) for tid in untrained])
    t0 = time.perf_counter()
    universe = build_universe(cfg)
    if streams is None:
        streams, quality = load_replay(cfg, universe)
    else:
        streams = {m: streams[m] for m in select_markets(cfg, sorted(streams), universe)} if universe else streams
        if universe is not None and hasattr(universe, "prepare"):
            universe.prepare(streams)
    markets = sorted(streams)
    store, run_id, own_store = open_run(cfg, store, use_store)
    loop = EngineLoop(cfg, store=store, run_id=run_id, markets=markets, universe=universe, host_metrics=False)
    if prepare is not None:
        prepare(loop)
    events = iter_merged(streams, 0.0)
    if batch and batchable(streams):
        loop.precompute(streams)
        from engine.loop.candles import candle_events
        events = candle_events(streams)
    elif batch:
        from engine.loop.quiet import QuietReplay
        if QuietReplay.eligible(loop, streams):
            events = QuietReplay(loop, streams)    # quiet runs of tick events skipped in kernels (same results)
    drive(loop, events, sum(len(s) for s in streams.values()), store, run_id, progress, console)
    return finish(cfg, loop, store, run_id, own_store, quality, t0, write_report)


def batchable(streams: dict) -> bool:
    """Candle-only replays: their feature rows are few (one per bar) and computed in batch before the loop."""
    return bool(streams) and all(s.trades is None and s.books is None for s in streams.values())


def load_replay(cfg: Any, universe: Any = None) -> tuple[dict, dict]:
    """({market: MarketStream}, data-quality counts) of the configured feed and universe."""
    feed = registry.build("feed", plain(cfg.feed), path="feed")
    markets = select_markets(cfg, feed.markets(), universe)
    if not markets:
        from engine.i18n import t
        raise registry.ConfigError([("markets", t("backtest.no_markets", markets=list(cfg.get("markets") or []),
                                                  available=", ".join(feed.markets()) or "(none)"))])
    streams = feed.load(markets)
    if universe is not None and hasattr(universe, "prepare"):
        universe.prepare(streams)
    return streams, feed.report.counts()

