"""One trial's value: the walk-forward priced by the engine replay, pruned at fold ends, recorded as a trial."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

OBJECTIVES = ("net_pnl", "deflated_sharpe")


class Pruned(Exception):
    """The pruner stopped the trial after `folds_done` folds; `result` holds those folds' engine figures."""

    def __init__(self, folds_done: int, result: dict):
        super().__init__(f"pruned after {folds_done} folds")
        self.folds_done = folds_done
        self.result = result


def cumulative_net_pnl(rows: list[dict]) -> float:
    """Engine net PnL after costs (KRW) of the folds' test windows so far."""
    return float(sum(r.get("net_pnl_krw") or 0.0 for r in rows))


def _rows(fitted: list, loop: Any, min_trades: int) -> list[dict]:
    from engine.loop.lifecycle import jsonable
    from engine.wf_backtest import engine_fold_rows
    return [jsonable(r) for r in engine_fold_rows(fitted, loop.ledger.data.trades, loop.ledger.data.initial_krw,
                                                  min_trades)]


def walk_forward(cfg: Any, report: Callable[[int, float], bool] | None = None,
                 tick: Callable[[str], None] | None = None) -> dict:
    """The walk-forward `scalp walkforward` runs (folds fitted on their past, one engine replay installing each
    fold's models at its test start), with `report(fold, cumulative net PnL)` called as each test window
    closes; True from it prunes: raises Pruned with the closed folds' rows. Returns {folds, summary}."""
    from engine.settings import settings_of
    from engine.walkforward import load_streams, summarize
    from engine.wf_backtest import fit_folds, replay_folds
    wf = settings_of(cfg).walkforward
    streams = load_streams(cfg)
    say = (lambda fold, _row: tick("fit")) if tick else None
    ds, fitted = fit_folds(cfg, streams, wf, say=say)

    def at_test_start(k: int, loop: Any) -> None:
        if tick:
            tick("replay")
        if report is None:
            return
        rows = _rows(fitted[:k], loop, wf.min_trades)
        if report(k - 1, cumulative_net_pnl(rows)):
            raise Pruned(k, {"folds": rows, "summary": summarize(rows, wf.min_trades)})

    loop = replay_folds(cfg, streams, ds, fitted, at_test_start=at_test_start)
    if tick:
        tick("replay")
    rows = _rows(fitted, loop, wf.min_trades)
    if report is not None:
        report(len(rows) - 1, cumulative_net_pnl(rows))      # the last fold: recorded, never pruned
    return {"folds": rows, "summary": summarize(rows, wf.min_trades), "evaluation": "engine"}


def record(cfg: Any, result: dict) -> dict:
    """Store the trial's pooled test returns in the trials table (kind `tune`); the summary's DSR then counts
    every distinct configuration on an overlapping span, this one included."""
    from engine.trials import min_trades_of, record_walkforward
    return record_walkforward(cfg, result, None, min_trades_of(cfg), kind="tune")


def value_of(result: dict, objective: str) -> tuple[float, str | None]:
    """(objective value, why it reads 0 instead) — a DSR below the sample-size guard counts as no evidence (0)."""
    s = result["summary"]
    if objective == "net_pnl":
        v = s.get("net_pnl_krw", s.get("net_pnl"))
        return (float(v), None) if isinstance(v, (int, float)) and math.isfinite(v) else (0.0, "no trades")
    v = s.get("deflated_sharpe")
    if isinstance(v, (int, float)) and math.isfinite(v):
        return float(v), None
    why = (s.get("na_reason") or {}).get("deflated_sharpe") or "deflated Sharpe not computable"
    return 0.0, str(why)
