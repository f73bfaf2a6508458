"""Backtest: recorded data -> the engine loop over a simulated exchange -> store, summary, HTML report."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import registry
from engine.ledger import RunData
from engine.loop import EngineLoop, plain

ARTIFACT_KIND = "run_summary"


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


def run_dir(cfg: Any, run_id: int | None) -> Path:
    """Hydra's job output dir when running under Hydra, else <run.out_dir>/run-<id>."""
    try:
        from hydra.core.hydra_config import HydraConfig
        return Path(HydraConfig.get().runtime.output_dir)
    except Exception:
        out = (cfg.get("run") or {}).get("out_dir", "outputs")
        return Path(out) / f"run-{run_id if run_id is not None else 'nostore'}"


def tower_sections(loop: EngineLoop) -> dict:
    """Report sections towers provide (`report_sections() -> {"calibration": ..., "feature_importance": ...}`)."""
    out: dict = {}
    for tid, tower in loop.towers.items():
        fn = getattr(tower, "report_sections", None)
        if fn is None:
            continue
        try:
            for key, value in (fn() or {}).items():
                out.setdefault(key, {})[tid] = value
        except Exception as e:     # a broken optional section must not lose the run
            out.setdefault("errors", {})[tid] = f"{type(e).__name__}: {e}"
    return out


def untrained_towers(cfg: Any) -> list[str]:
    """Ids of selected towers that cannot step before a fit (`requires_fit`) and have no saved model."""
    out = []
    for tid, node in (plain(cfg.get("towers")) or {}).items():
        node = node or {}
        cls = registry.get("tower", str(node.get("component", tid)), path=f"towers.{tid}")
        if getattr(cls, "requires_fit", False) and not node.get("model_path"):
            out.append(str(tid))
    return out


def run_backtest(cfg: Any, streams: dict | None = None, store: Any = None, use_store: bool = True,
                 progress: bool = False, write_report: bool = True, console: Any = None,
                 quality: dict | None = None) -> BacktestResult:
    """Run one backtest of `cfg` (the composed root config). `streams` ({market: MarketStream}) bypasses
    the feed (tests, other data sets); `store` overrides `cfg.store`; `use_store=False` keeps it in memory."""
    from components.feed.merge import iter_merged
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
    drive(loop, iter_merged(streams, 0.0), sum(len(s) for s in streams.values()), store, run_id, progress, console)
    return finish(cfg, loop, store, run_id, own_store, quality, t0, write_report)


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


def open_run(cfg: Any, store: Any, use_store: bool) -> tuple[Any, int | None, bool]:
    """(store, run id, whether we own the store): the configured store unless one was given or none wanted."""
    own_store = False
    if store is None and use_store and cfg.get("store"):
        store = registry.build("store", plain(cfg.store), path="store")
        own_store = True
    run_id = None
    if store is not None:
        name = str((cfg.get("run") or {}).get("name") or "backtest")
        run_id = store.start_run(name, plain(cfg), mode=str(cfg.get("mode", "backtest")))
    return store, run_id, own_store


def drive(loop: EngineLoop, events: Any, total: int, store: Any, run_id: int | None, progress: bool = False,
          console: Any = None, before: Any = None) -> None:
    """Feed every event to the loop (with a progress bar); `before(ev)` runs ahead of each event (model
    swaps). A run that raises is marked failed in the store before the error propagates."""
    status = "failed"

    def run(advance=None) -> None:
        n = 0
        for ev in events:
            if before is not None:
                before(ev)
            loop.on_event(ev)
            n += 1
            if advance is not None and n % 2000 == 0:
                advance(2000)
        if advance is not None:
            advance(n % 2000)

    try:
        if progress:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
            from engine.i18n import t
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=console, transient=False) as bar:
                task = bar.add_task(t("backtest.progress"), total=total)
                run(lambda n: bar.advance(task, n))
        else:
            run()
        loop.close()
        status = "done"
    finally:
        if store is not None and run_id is not None and status != "done":
            store.finish_run(run_id, status=status)


def finish(cfg: Any, loop: EngineLoop, store: Any, run_id: int | None, own_store: bool, quality: dict | None,
           t0: float, write_report: bool = True, extra_meta: dict | None = None) -> BacktestResult:
    """Ledger -> summary, report sections, stored run-summary artifact, HTML report; closes an owned store."""
    data = loop.ledger.data
    data.quality = dict(quality or {})
    data.sections = tower_sections(loop)
    rel = loop.outcomes.reliability()
    if rel is not None:     # the engine's own curve: fused P(up) vs the label's outcome over its horizon
        data.sections.setdefault("calibration", {})["fused P(up)"] = rel
    fill_model = plain(cfg.get("fill_model")) or {}
    data.meta = {"run_id": run_id, "name": str((cfg.get("run") or {}).get("name") or "backtest"),
                 "events": loop.events, "wall_s": time.perf_counter() - t0, "markets": loop.markets,
                 "seed": int(cfg.get("seed", 0)), "warmup_skips": loop.warmup_skips, "towers": list(loop.towers),
                 "absent_roles": list(loop.absent_roles), "feature_names": loop.feature_names,
                 "decision_interval_ms": loop.interval_ms, "fill_model": fill_model.get("component"),
                 "order_latency_ms": fill_model.get("order_latency_ms"), "config": _config_tree(cfg),
                 **(extra_meta or {})}
    from engine.summary import compute
    summary = compute(data)
    report = None
    if write_report:
        from engine.report import write_report as _write
        report = _write(data, summary, run_dir(cfg, run_id) / "report.html")
        data.meta["report"] = str(report)
    if store is not None and run_id is not None:
        store.save_artifact(f"run-{run_id}", ARTIFACT_KIND, _jsonable({"summary": summary, "meta": data.meta,
                                                                     "quality": data.quality,
                                                                     "sections": data.sections,
                                                                     "trips": data.trips}), run_id=run_id)
        store.finish_run(run_id, status="done")
        if own_store:
            store.close()
    return BacktestResult(run_id, data, summary, report, loop)


def _config_tree(cfg: Any) -> dict:
    """The run's config for the report, interpolations unresolved (an ${oc.env:...} secret stays a reference)."""
    from omegaconf import DictConfig, OmegaConf
    return OmegaConf.to_container(cfg, resolve=False) if isinstance(cfg, DictConfig) else dict(cfg or {})


def _jsonable(obj: Any) -> Any:
    """Strict-JSON copy: NaN/inf -> None, numpy scalars -> Python numbers, tuples/sets -> lists."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    return str(obj)
