"""Walk-forward backtest (the default main job): towers refit per fold on past data, traded on the next window.

One simulated account and one engine loop run over the whole replay. Before each test window the
fold's towers (fitted on the training window, calibrated on the calibration window, embargoed by the
label horizon — engine/walkforward.make_folds) are installed into the loop; nothing trades before the
first test window, and no tower ever sees a bar of the window it trades.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

import registry
from components.types.events import CANDLE
from engine.backtest import (ARTIFACT_KIND, BacktestResult, _jsonable, build_universe, run_dir, select_markets,
                             tower_sections)
from engine.loop import EngineLoop, plain

WARM_ROWS = 200      # past decision rows stepped through a fresh sequence tower before it trades


def untrained_towers(cfg: Any) -> list[str]:
    """Ids of selected towers that cannot step before a fit (`requires_fit`) and have no saved model."""
    out = []
    for tid, node in (plain(cfg.get("towers")) or {}).items():
        node = node or {}
        cls = registry.get("tower", str(node.get("component", tid)), path=f"towers.{tid}")
        if getattr(cls, "requires_fit", False) and not node.get("model_path"):
            out.append(str(tid))
    return out


def needs_training(cfg: Any) -> bool:
    """True when the backtest must walk forward: some selected tower has to be fitted before it can trade."""
    return bool(untrained_towers(cfg))


def walkforward_params(cfg: Any):
    from engine.walkforward import WalkForwardParams
    return WalkForwardParams(**(plain(cfg.get("walkforward")) or {}))


def fit_folds(cfg: Any, streams: dict, wf: Any, say: Any = None) -> tuple[Any, list]:
    """(dataset, [(fold, metrics row, towers, entry, fusion)]) — every fold fitted on its own past."""
    from components.tower.signature import params_hash
    from engine.ensemble import build_fusion
    from engine.walkforward import (build_dataset, build_entry, build_towers, feature_nodes, label_of, make_folds,
                                    run_fold)
    _, label, label_node = label_of(cfg)
    ds = build_dataset(streams, feature_nodes(cfg), label, wf.stride_bars)
    label_id = f"{label_node.get('component')}:{params_hash(label_node)}"
    market_class = str(cfg.get("market_class", "majors"))
    fitted = []
    for fold in make_folds(ds, wf):
        row, towers, entry, fusion = run_fold(ds, fold, lambda: build_towers(cfg, wf.seed, wf.boosting_type),
                                              lambda: build_entry(cfg), wf, label_id, None,
                                              lambda: build_fusion(cfg), market_class)
        fitted.append((fold, row, towers, entry, fusion))
        if say is not None:
            say(fold, row)
    return ds, fitted


def warm_sequence_towers(towers: dict, ds: Any, before_ms: int) -> None:
    """Step fresh recurrent towers through each market's last decision rows before `before_ms`."""
    from engine.ensemble import is_sequence
    for tower in towers.values():
        if not is_sequence(tower):
            continue
        for mi, market in enumerate(ds.markets):
            rows = np.flatnonzero((ds.market == mi) & (ds.ts_ms < before_ms))[-WARM_ROWS:]
            for r in rows:                      # features only: labels of these rows are never read
                tower.step(ds.X[r], {"market": market})


def run_walkforward_backtest(cfg: Any, store: Any = None, use_store: bool = True, progress: bool = False,
                             console: Any = None, say: Any = None) -> BacktestResult:
    """Fit every fold, then replay the whole data once through one loop, swapping models at test starts."""
    from components.feed.merge import iter_merged
    from engine.walkforward import deflated_sharpe_across, summarize
    t0 = time.perf_counter()
    wf = walkforward_params(cfg)
    feed = registry.build("feed", plain(cfg.feed), path="feed")
    universe = build_universe(cfg)
    markets = select_markets(cfg, feed.markets(), universe)
    if not markets:
        from engine.i18n import t
        raise registry.ConfigError([("markets", t("backtest.no_markets", markets=list(cfg.get("markets") or []),
                                                  available=", ".join(feed.markets()) or "(none)"))])
    streams = feed.load(markets)
    quality = feed.report.counts()
    if universe is not None and hasattr(universe, "prepare"):
        universe.prepare(streams)
    ds, fitted = fit_folds(cfg, streams, wf, say)
    train_s = time.perf_counter() - t0

    own_store = False
    if store is None and use_store and cfg.get("store"):
        store = registry.build("store", plain(cfg.store), path="store")
        own_store = True
    run_id = None
    if store is not None:
        run_id = store.start_run(str((cfg.get("run") or {}).get("name") or "backtest"), plain(cfg),
                                 mode=str(cfg.get("mode", "backtest")))
    loop = EngineLoop(cfg, store=store, run_id=run_id, markets=sorted(streams), universe=universe, host_metrics=False)
    loop.install_models({})                     # no decisions before the first test window
    starts = [f[0].bounds_ms["test_start"] for f in fitted]
    nxt = 0
    total = sum(len(s) for s in streams.values())
    status = "failed"

    def drive(events, advance=None) -> None:
        nonlocal nxt
        n = 0
        for ev in events:
            ts = ev.ts_ms + ev.interval_s * 1000 if ev.kind == CANDLE else ev.ts_ms
            while nxt < len(fitted) and ts >= starts[nxt]:
                _, _, towers, entry, fusion = fitted[nxt]
                warm_sequence_towers(towers, ds, starts[nxt])
                loop.install_models(towers, entry, fusion)
                nxt += 1
            loop.on_event(ev)
            n += 1
            if advance is not None and n % 2000 == 0:
                advance(2000)
        if advance is not None:
            advance(n % 2000)

    try:
        events = iter_merged(streams, 0.0)
        if progress:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
            from engine.i18n import t
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=console, transient=False) as bar:
                task = bar.add_task(t("backtest.progress"), total=total)
                drive(events, lambda n: bar.advance(task, n))
        else:
            drive(events)
        loop.close()
        status = "done"
    finally:
        if store is not None and run_id is not None and status != "done":
            store.finish_run(run_id, status=status)

    rows = [_jsonable({k: v for k, v in f[1].items()}) for f in fitted]
    wf_result = {"folds": rows, "summary": {**summarize(rows), **deflated_sharpe_across(rows)},
                 "feature_importance": _importance(fitted), "towers_skipped": {}, "leak": False,
                 "params": wf.model_dump()}
    data = loop.ledger.data
    data.quality = dict(quality or {})
    data.sections = tower_sections(loop)
    rel = loop.outcomes.reliability()
    if rel is not None:
        data.sections.setdefault("calibration", {})["fused P(up)"] = rel
    wall = time.perf_counter() - t0
    data.meta = {"run_id": run_id, "name": str((cfg.get("run") or {}).get("name") or "backtest"),
                 "events": loop.events, "wall_s": wall, "train_s": train_s, "markets": sorted(streams),
                 "seed": int(cfg.get("seed", 0)), "warmup_skips": loop.warmup_skips, "towers": list(loop.towers),
                 "absent_roles": list(loop.absent_roles), "feature_names": loop.feature_names,
                 "decision_interval_ms": loop.interval_ms, "trading_from_ms": starts[0] if starts else None,
                 "fill_model": (plain(cfg.get("fill_model")) or {}).get("component"),
                 "order_latency_ms": (plain(cfg.get("fill_model")) or {}).get("order_latency_ms"),
                 "walkforward": wf_result}
    from engine.summary import compute
    summary = compute(data)
    report = None
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


def _importance(fitted: list) -> dict:
    """Feature importance of the last fold's CatBoost tower (the model that traded last)."""
    for _, _, towers, _, _ in reversed(fitted):
        for tower in towers.values():
            if hasattr(tower, "feature_importance"):
                return dict(tower.feature_importance())
    return {}
