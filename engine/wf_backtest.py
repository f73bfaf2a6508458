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
from engine.backtest import BacktestResult, batchable, build_universe, load_replay, untrained_towers
from engine.loop import EngineLoop
from engine.loop.lifecycle import drive, finish, jsonable, open_run

WARM_ROWS = 200      # past decision rows stepped through a fresh sequence tower before it trades


def needs_training(cfg: Any) -> bool:
    """True when the backtest must walk forward: some selected tower has to be fitted before it can trade."""
    return bool(untrained_towers(cfg))


def refuse_unfittable(cfg: Any) -> None:
    """An untrained tower the walk-forward does not fit (tick-only hfp) would silently be replaced by the
    default tower: refuse it by name instead."""
    from engine.ensemble import tower_nodes
    from engine.i18n import t
    _, skipped = tower_nodes(cfg)
    bad = [tid for tid in untrained_towers(cfg) if tid in skipped]
    if bad:
        raise registry.ConfigError([(f"towers.{tid}", t("backtest.wf.unfittable", tower=tid, why=skipped[tid]))
                                    for tid in bad])


def walkforward_params(cfg: Any):
    from engine.settings import settings_of
    return settings_of(cfg).walkforward


def fit_folds(cfg: Any, streams: dict, wf: Any, say: Any = None, lazy: bool = False) -> tuple[Any, Any]:
    """(dataset, [(fold, metrics row, towers, entry, fusion)]) — every fold fitted on its own past
    (`wf.leak`: the label joins the features, for the leak check's positive control). The fits of all folds
    start at once on worker processes (engine/wf_fit.py). `lazy`: the list is returned at once, a FittedFolds
    whose fold k is finished (its fits collected, then priced) when first read — a replay then runs while later
    folds still fit; the caller closes it."""
    from types import SimpleNamespace
    from components.types.signature import params_hash
    from engine.costs import build_cost_model
    from engine.exit_sim import exit_chain
    from engine.walkforward import build_dataset, build_towers, feature_nodes, label_of, make_folds
    from engine.wf_fit import FittedFolds, FoldFits, pool_workers
    _, label, label_node = label_of(cfg)
    costs = build_cost_model(cfg)
    ds = build_dataset(streams, feature_nodes(cfg), label, wf.stride_bars, wf.leak,
                       spread_window_bars=costs.spread_window_bars)
    label_id = f"{label_node.get('component')}:{params_hash(label_node)}"
    folds = make_folds(ds, wf)
    make_towers = lambda: build_towers(cfg, wf.seed, wf.boosting_type)     # noqa: E731
    workers = pool_workers(wf)
    job = SimpleNamespace(cfg=cfg, ds=ds, wf=wf, label_id=label_id, costs=costs, say=say, make_towers=make_towers,
                          exits=exit_chain(cfg, costs) if cfg.get("exits") else None,   # the entry map learns
                          market_class=str(cfg.get("market_class", "majors")),          # from these trips
                          pool=FoldFits(ds, folds, make_towers, label_id, workers) if workers and folds else None)
    fitted = FittedFolds(folds, lambda fold: finish_fold(job, fold), job.pool)
    if lazy:
        return ds, fitted
    try:
        return ds, list(fitted)
    finally:
        fitted.close()


def finish_fold(job: Any, fold: Any) -> tuple:
    """(fold, metrics row, towers, entry, fusion): the fold's fits collected (or fitted here), fusion and entry
    fitted on its calibration rows, its test rows priced (engine/walkforward.run_fold)."""
    from engine.ensemble import build_fusion
    from engine.walkforward import build_entry, run_fold
    cfg = job.cfg
    row, towers, entry, fusion = run_fold(job.ds, fold, job.make_towers, lambda: build_entry(cfg), job.wf,
                                          job.label_id, market_class=job.market_class,
                                          make_fusion=lambda: build_fusion(cfg), costs=job.costs, exits=job.exits,
                                          fits=job.pool.get(fold.k) if job.pool is not None else None)
    if job.say is not None:
        job.say(fold, row)
    return fold, row, towers, entry, fusion


def warm_sequence_towers(towers: dict, ds: Any, before_ms: int) -> None:
    """Step fresh recurrent towers through each market's last decision rows before `before_ms`."""
    from engine.ensemble import is_sequence
    for tower in towers.values():
        if not is_sequence(tower):
            continue
        for mi, market in enumerate(ds.markets):
            rows = np.flatnonzero((ds.market == mi) & (ds.ts_ms < before_ms))[-WARM_ROWS:]
            for r in rows:                      # features only: labels of these rows are never read
                tower.step(ds.X[r], {"market": market, "row": True})   # one training row = one state step


def replay_folds(cfg: Any, streams: dict, ds: Any, fitted: list, store: Any = None, run_id: int | None = None,
                 progress: bool = False, console: Any = None, batch: bool = True, universe: Any = None,
                 at_test_start: Any = None) -> EngineLoop:
    """Replay the whole data once through one engine loop over the simulated exchange, installing each fold's
    models at its test start (nothing trades before the first one). The one evaluation path: `scalp backtest`
    and `scalp walkforward` both price their folds with this replay. `at_test_start(k, loop)` runs before
    fold k's models go in (k >= 1: fold k-1's window is over; `scalp tune` prunes there by raising)."""
    from components.types.feed.merge import iter_merged
    loop = EngineLoop(cfg, store=store, run_id=run_id, markets=sorted(streams), universe=universe, host_metrics=False)
    loop.install_models({})                     # no decisions before the first test window
    if batch and batchable(streams):
        loop.precompute(streams)
    starts = getattr(fitted, "test_starts", None) or [f[0].bounds_ms["test_start"] for f in fitted]
    nxt = 0

    def swap_models(ev) -> None:
        nonlocal nxt
        ts = ev.ts_ms + ev.interval_s * 1000 if ev.kind == CANDLE else ev.ts_ms
        while nxt < len(fitted) and ts >= starts[nxt]:
            fold, _, towers, entry, fusion = fitted[nxt]
            if at_test_start is not None and nxt > 0:
                at_test_start(nxt, loop)
            warm_sequence_towers(towers, ds, starts[nxt])
            ref = ds.X[fold.train] if list(ds.names) == list(loop.feature_names) else None
            loop.install_models(towers, entry, fusion, drift_reference=ref)
            nxt += 1

    drive(loop, iter_merged(streams, 0.0), sum(len(s) for s in streams.values()), store, run_id, progress, console,
          before=swap_models)
    return loop


def engine_fold_rows(fitted: list, trades: list[dict], initial_krw: float, min_trades: int) -> list[dict]:
    """Each fold's metrics row with the engine's figures for its test window: the round trips entered in
    [test_start, test_end) (one that exits in the next window still belongs to the window it entered in)."""
    from engine.walkforward import engine_figures
    rows = []
    for fold, row, *_ in fitted:
        b = fold.bounds_ms
        mine = [tr for tr in trades if b["test_start"] <= int(tr["entry_ts_ms"]) < b["test_end"]]
        rows.append(engine_figures(row, mine, (b["test_start"], b["test_end"]), initial_krw, min_trades))
    return rows


def run_walkforward_backtest(cfg: Any, store: Any = None, use_store: bool = True, progress: bool = False,
                             console: Any = None, say: Any = None, batch: bool = True) -> BacktestResult:
    """Fit every fold and replay the whole data once through one loop, swapping models at test starts
    (`batch`: candle features computed before the loop, as in run_backtest). The replay starts while the folds
    still fit (on worker processes): it waits at a test start only for that fold's models. `train_s` = until
    the last fold's models were ready."""
    from engine.walkforward import summarize
    t0 = time.perf_counter()
    refuse_unfittable(cfg)
    wf = walkforward_params(cfg)
    universe = build_universe(cfg)
    streams, quality = load_replay(cfg, universe)
    ds, lazy = fit_folds(cfg, streams, wf, say, lazy=True)
    try:
        store, run_id, own_store = open_run(cfg, store, use_store)
        loop = replay_folds(cfg, streams, ds, lazy, store, run_id, progress, console, batch, universe)
        fitted = list(lazy)             # a fold whose test window the data never reached is finished too
    finally:
        close = getattr(lazy, "close", None)
        if close is not None:
            close()
    train_s = (getattr(lazy, "ready_at", None) or time.perf_counter()) - t0
    rows = [jsonable(r) for r in engine_fold_rows(fitted, loop.ledger.data.trades, loop.ledger.data.initial_krw,
                                                  wf.min_trades)]
    starts = [f[0].bounds_ms["test_start"] for f in fitted]
    wf_result = {"folds": rows, "summary": summarize(rows, wf.min_trades),      # DSR + sample-size guard inside
                 "feature_importance": _importance(fitted), "towers_skipped": {}, "leak": False,
                 "params": wf.model_dump()}
    return finish(cfg, loop, store, run_id, own_store, quality, t0, True,
                  {"train_s": train_s, "trading_from_ms": starts[0] if starts else None, "walkforward": wf_result})


def _importance(fitted: list) -> dict:
    """Feature importance of the last fold's CatBoost tower (the model that traded last)."""
    for _, _, towers, _, _ in reversed(fitted):
        for tower in towers.values():
            if hasattr(tower, "feature_importance"):
                return dict(tower.feature_importance())
    return {}
