"""One run lifecycle for backtest, paper and live: open the store's run, build the exchange, drive the loop,
finish (summary, report sections, stored artifact, HTML report) and close what the run opened."""
from __future__ import annotations

import gc
import math
import time
from pathlib import Path
from typing import Any

import registry
from engine.conf import plain

ARTIFACT_KIND = "run_summary"


def build_exchange(cfg: Any, node: Any = None) -> Any:
    """Exchange from `node` (default `cfg.exchange`); a simulated one is bound to `cfg.fill_model`, the
    initial KRW and the seed."""
    ex = registry.build("exchange", plain(cfg.exchange) if node is None else node, path="exchange")
    if hasattr(ex, "bind"):
        fm = registry.build("fill_model", plain(cfg.fill_model), path="fill_model") if cfg.get("fill_model") else None
        ex.bind(fill_model=fm, balances={"KRW": float(cfg.initial_krw)}, seed=int(cfg.get("seed", 0)))
    return ex


def open_run(cfg: Any, store: Any, use_store: bool = True, mode: str | None = None) -> tuple[Any, int | None, bool]:
    """(store, run id, whether we own the store): the configured store unless one was given or none wanted."""
    own_store = False
    if store is None and use_store and cfg.get("store"):
        store = registry.build("store", plain(cfg.store), path="store")
        own_store = True
    run_id = None
    if store is not None:
        name = str((cfg.get("run") or {}).get("name") or mode or "backtest")
        from engine.live.resume import PROCESS_KEY, process_tag
        conf = plain(cfg)
        if isinstance(conf, dict):      # which process runs it: a later start marks the run crashed once it is gone
            conf = {**conf, PROCESS_KEY: process_tag()}
        run_id = store.start_run(name, conf, mode=mode or str(cfg.get("mode", "backtest")))
    return store, run_id, own_store


def close_run(store: Any, run_id: int | None, status: str, own_store: bool, summary: dict | None = None) -> None:
    """Store the run-summary artifact (if given), mark the run finished, close a store the run opened."""
    if store is None:
        return
    try:
        if run_id is not None:
            try:
                if summary is not None:
                    store.save_artifact(f"run-{run_id}", ARTIFACT_KIND, jsonable(summary), run_id=run_id)
            finally:
                store.finish_run(run_id, status=status)
    finally:
        if own_store:
            store.close()


def drive(loop: Any, events: Any, total: int, store: Any, run_id: int | None, progress: bool = False,
          console: Any = None, before: Any = None) -> None:
    """Feed every event to the loop (with a progress bar); `before(ev)` runs ahead of each event (model
    swaps). A run that raises is marked failed in the store before the error propagates."""
    status = "failed"
    on_event = loop.on_event
    # A replay allocates millions of small acyclic objects (events, buffered rows) and keeps the rows: the
    # cyclic collector's full passes over that growing heap cost ~10 % of a backtest. Without model swaps
    # (`before`, where training code may build cycles) it is paused for the replay and runs once after.
    pause_gc = before is None and gc.isenabled()

    def run(advance=None) -> None:
        n = done = 0
        if before is None and advance is None:
            for ev in events:
                on_event(ev)
            return
        counted = hasattr(events, "consumed")     # a replay that skips quiet events counts them itself
        for ev in events:
            if before is not None:
                before(ev)
            on_event(ev)
            n = events.consumed if counted else n + 1
            if advance is not None and n - done >= 2000:
                advance(n - done)
                done = n
        if advance is not None:
            advance((events.consumed if counted else n) - done)

    if pause_gc:
        gc.disable()
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
        if pause_gc:
            gc.enable()
        if store is not None and run_id is not None and status != "done":
            store.finish_run(run_id, status=status)


def run_dir(cfg: Any, run_id: int | None) -> Path:
    """Hydra's job output dir when running under Hydra, else <run.out_dir>/run-<id>."""
    try:
        from hydra.core.hydra_config import HydraConfig
        return Path(HydraConfig.get().runtime.output_dir)
    except Exception:
        out = (cfg.get("run") or {}).get("out_dir", "outputs")
        return Path(out) / f"run-{run_id if run_id is not None else 'nostore'}"


def tower_sections(loop: Any) -> dict:
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


def run_meta(loop: Any, run_id: int | None, **extra: Any) -> dict:
    """What every finished run records about itself (backtest, paper and live add their own keys)."""
    return {"run_id": run_id, "events": loop.events, "markets": loop.markets, "towers": list(loop.towers),
            "feature_names": loop.feature_names, "decision_interval_ms": loop.interval_ms, **extra}


def finish(cfg: Any, loop: Any, store: Any, run_id: int | None, own_store: bool, quality: dict | None,
           t0: float, write_report: bool = True, extra_meta: dict | None = None) -> Any:
    """Ledger -> summary, report sections, stored run-summary artifact, HTML report; closes an owned store."""
    from engine.backtest import BacktestResult
    from engine.summary import compute
    data = loop.ledger.data
    data.quality = dict(quality or {})
    data.sections = tower_sections(loop)
    rel = loop.outcomes.reliability()
    if rel is not None:     # the engine's own curve: fused P(up) vs the label's outcome over its horizon
        data.sections.setdefault("calibration", {})["fused P(up)"] = rel
    fill_model = plain(cfg.get("fill_model")) or {}
    data.meta = run_meta(loop, run_id, name=str((cfg.get("run") or {}).get("name") or "backtest"),
                         wall_s=time.perf_counter() - t0, seed=int(cfg.get("seed", 0)),
                         warmup_skips=loop.warmup_skips, absent_roles=list(loop.absent_roles),
                         fill_model=fill_model.get("component"),
                         order_latency_ms=fill_model.get("order_latency_ms"), config=_config_tree(cfg),
                         **(extra_meta or {}))
    from engine.trials import min_trades_of, record_backtest
    summary = compute(data, min_trades_of(cfg))
    record_backtest(cfg, store, run_id, data, summary)          # a trial: the DSR counts it and every other
    report = None
    if write_report:
        from engine.report import write_report as _write
        report = _write(data, summary, run_dir(cfg, run_id) / "report.html")
        data.meta["report"] = str(report)
    close_run(store, run_id, "done", own_store, {"summary": summary, "meta": data.meta, "quality": data.quality,
                                                 "sections": data.sections, "trips": data.trips})
    return BacktestResult(run_id, data, summary, report, loop)


def jsonable(obj: Any) -> Any:
    """Strict-JSON copy: NaN/inf -> None, numpy scalars -> Python numbers, tuples/sets -> lists."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    return str(obj)


def _config_tree(cfg: Any) -> dict:
    """The run's config for the report, interpolations unresolved (an ${oc.env:...} secret stays a reference)."""
    from omegaconf import DictConfig, OmegaConf
    return OmegaConf.to_container(cfg, resolve=False) if isinstance(cfg, DictConfig) else dict(cfg or {})
