"""Trials counted honestly: every run's per-period returns go to the store; the deflated Sharpe counts them.

Deflated Sharpe ratio (Bailey & López de Prado 2014; ../shared/FORMULAS.md): the probability that the
true per-period Sharpe exceeds the best Sharpe that N luck-only trials would show, with N = distinct
configurations tried on an overlapping data span (from the store), the variance of Sharpe across those
trials, and the skew and kurtosis of this run's returns. Below `min_trades` trades Sharpe, p-values and
the DSR are not reported at all (NaN + a reason): a handful of trades proves nothing.
"""
from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

MIN_TRADES = 30
GUARDED = ("sharpe", "sharpe_hourly", "baseline_p_value", "deflated_sharpe", "baseline_sharpe", "sharpe_hourly_mean")


# -- sample-size guard -----------------------------------------------------------------------------
def na_reason(trades: Any, min_trades: int = MIN_TRADES) -> str | None:
    """Why a Sharpe / p-value / DSR is not shown: None when there are enough trades."""
    n = int(trades) if isinstance(trades, (int, float)) and math.isfinite(trades) else 0
    return None if n >= min_trades else f"n < {min_trades} trades ({n})"


def guard(stats: dict, trades: Any, min_trades: int = MIN_TRADES, keys: tuple[str, ...] = GUARDED) -> dict:
    """Set the guarded keys present in `stats` to NaN (JSON null) and record the reason under `na_reason`."""
    why = na_reason(trades, min_trades)
    if why is None:
        return stats
    hit = [k for k in keys if k in stats]
    for k in hit:
        stats[k] = math.nan
    if hit:
        stats["na_reason"] = {**(stats.get("na_reason") or {}), **{k: why for k in hit}}
        stats["min_trades"] = int(min_trades)
    return stats


def shown(stats: dict, key: str, fmt) -> str:
    """The value formatted, or "n/a (n < 30 trades)" where the guard removed it."""
    from engine.i18n import t
    if (stats.get("na_reason") or {}).get(key):
        n = stats.get("trades")
        n = int(n) if isinstance(n, (int, float)) and math.isfinite(n) else 0
        return t("trials.na_small", n=n, min=int(stats.get("min_trades") or MIN_TRADES))
    return fmt(stats.get(key))


# -- per-period returns ----------------------------------------------------------------------------
def hourly_returns(pnl_krw: np.ndarray, exit_ms: np.ndarray, span_ms: tuple[int, int], capital_krw: float) -> list[float]:
    """PnL per clock hour of the span as a fraction of capital (hours without a trade count as 0)."""
    hours = max(1, int(math.ceil((span_ms[1] - span_ms[0]) / 3_600_000)))
    out = np.zeros(hours)
    if len(pnl_krw):
        h = np.clip((np.asarray(exit_ms) - span_ms[0]) // 3_600_000, 0, hours - 1).astype(int)
        np.add.at(out, h, np.asarray(pnl_krw, float) / capital_krw)
    return [float(x) for x in out]


def moments(returns: np.ndarray) -> dict:
    """Per-period Sharpe, skew and (non-excess) kurtosis of a return series (NaN when flat or too short)."""
    from scipy.stats import kurtosis, skew
    r = np.asarray(returns, float)
    sd = r.std(ddof=1) if len(r) > 1 else 0.0
    if not sd > 0:
        return {"sharpe": math.nan, "skew": math.nan, "kurtosis": math.nan, "n_obs": int(len(r))}
    return {"sharpe": float(r.mean() / sd), "skew": float(skew(r)), "kurtosis": float(kurtosis(r, fisher=False)),
            "n_obs": int(len(r))}


def config_hash(cfg: Any) -> str:
    """Hash of the resolved config minus where results go (two runs of one config are one trial)."""
    from omegaconf import OmegaConf
    plain = OmegaConf.to_container(cfg, resolve=True) if hasattr(cfg, "_metadata") else dict(cfg or {})
    for k in ("run", "store", "ui", "hydra"):
        plain.pop(k, None)
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()[:16]


# -- deflated Sharpe -------------------------------------------------------------------------------
def deflate(returns: list[float], others: list[dict], config: str, trades: int, min_trades: int = MIN_TRADES) -> dict:
    """DSR of this run's returns against the trials in `others` (store rows: config_hash, sharpe)."""
    from engine.evaluation import deflated_sharpe
    m = moments(np.asarray(returns, float))
    best: dict[str, float] = {}
    tried = {tr.get("config_hash") for tr in others} - {config}   # a config that never traded was still tried
    for tr in others:                          # one Sharpe per configuration: its latest trial
        if tr.get("config_hash") != config and isinstance(tr.get("sharpe"), float) and math.isfinite(tr["sharpe"]):
            best[tr["config_hash"]] = tr["sharpe"]
    srs = list(best.values()) + ([m["sharpe"]] if math.isfinite(m["sharpe"]) else [])
    n = len(tried) + 1
    var = float(np.var(srs, ddof=1)) if len(srs) > 1 else math.nan
    out = {"deflated_sharpe_trials": n, "sharpe_trials_var": var, "returns_skew": m["skew"],
           "returns_kurtosis": m["kurtosis"], "sharpe_period": m["sharpe"], "n_obs": m["n_obs"]}
    if not math.isfinite(m["sharpe"]) or not trades:
        out["deflated_sharpe"] = math.nan
    else:
        out["deflated_sharpe"] = deflated_sharpe(m["sharpe"], m["n_obs"], n, m["skew"], m["kurtosis"],
                                                 sharpe_var=var if var > 0 else 1e-12)
    return guard(out, trades, min_trades, ("deflated_sharpe",))


def record_and_deflate(store: Any, kind: str, cfg: Any, returns: list[float], span_ms: tuple[int, int],
                       trades: int, run_id: int | None = None, min_trades: int = MIN_TRADES) -> dict:
    """Record this run as a trial, then deflate its Sharpe by the trials on an overlapping span."""
    h = config_hash(cfg)
    others = store.trials_overlapping(int(span_ms[0]), int(span_ms[1])) if store is not None else []
    out = deflate(returns, others, h, trades, min_trades)
    if store is not None:
        m = moments(np.asarray(returns, float))
        store.record_trial(kind=kind, config_hash=h, span_start_ms=int(span_ms[0]), span_end_ms=int(span_ms[1]),
                           period_ms=3_600_000, n_obs=m["n_obs"], sharpe=m["sharpe"], skew=m["skew"],
                           kurtosis=m["kurtosis"], trades=int(trades), returns=list(returns), run_id=run_id)
    return {**out, "config_hash": h}


def open_store(cfg: Any):
    """The configured store (None without one); the caller closes it."""
    if cfg is None or not cfg.get("store"):
        return None
    import registry
    return registry.build("store", cfg.store, path="store")


def record_walkforward(cfg: Any, result: dict, run_id: int | None, min_trades: int = MIN_TRADES,
                       kind: str = "walkforward") -> dict:
    """Store the walk-forward's pooled test returns as a trial; its summary's DSR then counts the store's N."""
    from engine.walkforward import pooled_returns
    rows = result.get("folds") or []
    if not rows or not any("hourly_returns" in r for r in rows):
        return result           # no engine replay (estimate only): nothing traded, so no trial to count
    span = (int(rows[0]["test_start"]), int(rows[-1]["test_end"]))
    trades = int(sum(r.get("trades") or 0 for r in rows))
    store = open_store(cfg)
    try:
        got = record_and_deflate(store, kind, cfg, pooled_returns(rows), span, trades, run_id, min_trades)
    finally:
        if store is not None:
            store.close()
    result["summary"] = guard({**result["summary"], **{k: v for k, v in got.items() if k != "na_reason"}},
                              trades, min_trades)
    return result


def equity_hourly_returns(ts_ms: np.ndarray, equity_krw: np.ndarray) -> tuple[list[float], tuple[int, int]]:
    """Hourly returns of an equity curve (last value in each clock hour) and its span."""
    ts, eq = np.asarray(ts_ms, np.int64), np.asarray(equity_krw, float)
    if len(ts) < 2:
        return [], (int(ts[0]) if len(ts) else 0, int(ts[-1]) if len(ts) else 0)
    hour = (ts - ts[0]) // 3_600_000
    last = np.flatnonzero(np.r_[hour[1:] != hour[:-1], True])
    marks = np.r_[eq[0], eq[last]]
    return [float(x) for x in marks[1:] / marks[:-1] - 1.0], (int(ts[0]), int(ts[-1]))


def min_trades_of(cfg: Any) -> int:
    """`walkforward.min_trades` of the config (default 30): one threshold for backtests and walk-forwards."""
    node = cfg.get("walkforward") if cfg is not None else None
    val = node.get("min_trades") if node is not None else None
    return int(val) if val is not None else MIN_TRADES


def record_backtest(cfg: Any, store: Any, run_id: int | None, data: Any, summary: dict) -> dict:
    """A backtest (or one run of a tuning sweep) as a trial: hourly equity returns; the DSR goes into `summary`."""
    from engine.summary import equity_arrays
    returns, span = equity_hourly_returns(*equity_arrays(data))
    if not returns:
        return summary
    got = record_and_deflate(store if run_id is not None else None, "backtest", cfg, returns, span,
                             int(summary.get("trades") or 0), run_id, min_trades_of(cfg))
    summary.update({k: v for k, v in got.items() if k != "na_reason"})
    return guard(summary, summary.get("trades") or 0, min_trades_of(cfg), ("sharpe", "deflated_sharpe"))
