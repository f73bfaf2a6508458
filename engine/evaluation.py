"""Out-of-sample scoring: AUC, Brier, ECE, log loss; trades priced by the cost model; random-entry baseline test."""
from __future__ import annotations

import math

import numpy as np

from components.types.costs import CostModel

HOURS_PER_YEAR = 24 * 365          # crypto trades around the clock: Sharpe annualised from hourly PnL


# -- probability quality ---------------------------------------------------------------------------
def auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties averaged; NaN with one class."""
    from scipy.stats import rankdata
    y = np.asarray(y).astype(int)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return math.nan
    r = rankdata(p)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2)) if len(y) else math.nan


def log_loss(y: np.ndarray, p: np.ndarray, eps: float = 1e-12) -> float:
    if not len(y):
        return math.nan
    p = np.clip(np.asarray(p, float), eps, 1 - eps)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Equal-width bins on [0, 1]: count, mean prediction, observed frequency (the calibration curve)."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    b = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for k in range(bins):
        m = b == k
        n = int(m.sum())
        out.append({"bin": k, "n": n, "p_mean": float(p[m].mean()) if n else math.nan,
                    "y_mean": float(y[m].mean()) if n else math.nan})
    return out


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: Σ_b (n_b/N)·|mean(y)_b − mean(p)_b| over equal-width bins."""
    n = len(y)
    if not n:
        return math.nan
    return float(sum(c["n"] / n * abs(c["y_mean"] - c["p_mean"]) for c in calibration_bins(y, p, bins) if c["n"]))


# -- trading ---------------------------------------------------------------------------------------
def row_costs(costs: CostModel, markets: list[str], market: np.ndarray, price: np.ndarray,
              bar_spread: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per decision row, from the run's cost model: (full spread, round trip cost), both fractions.

    The spread is the model's candle spread at that row (its bar estimate `bar_spread`, else the floor,
    never below one tick of the row's price); the round trip adds both fees and both taker moves with
    slippage, latency and tick rounding, exactly as `CostModel.round_trip_cost_frac` prices a live entry."""
    market, price = np.asarray(market), np.asarray(price, np.float64)
    spread, cost = np.full(len(price), np.nan), np.full(len(price), np.nan)
    for k, name in enumerate(markets):
        at = np.flatnonzero(market == k)
        if not len(at):
            continue
        est = None if bar_spread is None else np.asarray(bar_spread, np.float64)[at]
        spread[at] = costs.spread_frac(name, price[at], estimate=est if est is not None else np.full(len(at), np.nan))
        cost[at] = costs.round_trip_cost_frac(name, price[at], spread[at])
    return spread, cost


def net_returns(costs: CostModel, gross: np.ndarray, markets: list[str], market: np.ndarray, price: np.ndarray,
                spread: np.ndarray) -> np.ndarray:
    """Net of a long round trip per row: buy as a taker paying fee, sell as a taker paying fee (cost model)."""
    gross, out = np.asarray(gross, np.float64), np.full(len(gross), np.nan)
    for k, name in enumerate(markets):
        at = np.flatnonzero(np.asarray(market) == k)
        if len(at):
            out[at] = costs.round_trip_net_return(gross[at], name, np.asarray(price, np.float64)[at], spread[at])
    return out


def select_trades(signal: np.ndarray, market: np.ndarray, ts_ms: np.ndarray, end_ms: np.ndarray,
                  cooldown_ms: int = 0) -> np.ndarray:
    """Indices of entries taken: one open position per market; a signal while it is open is ignored.

    Rows must be sorted by ts_ms. A position opened at t stays open until its exit `end_ms`.
    """
    busy_until: dict[int, int] = {}
    taken = []
    for i in np.flatnonzero(signal):
        m = int(market[i])
        if ts_ms[i] < busy_until.get(m, -1):
            continue
        taken.append(i)
        busy_until[m] = int(end_ms[i]) + cooldown_ms
    return np.asarray(taken, np.int64)


def trade_stats(net: np.ndarray, exit_ms: np.ndarray, notional_krw: float, initial_krw: float,
                span_ms: tuple[int, int]) -> dict:
    """Trades, net PnL (KRW, fixed notional per trade), win rate, hourly Sharpe (annualised), max drawdown."""
    net = np.asarray(net, float)
    pnl = net * notional_krw
    out = {"trades": int(len(net)), "net_pnl": float(pnl.sum()),
           "net_return_mean": float(net.mean()) if len(net) else 0.0,
           "win_rate": float((net > 0).mean()) if len(net) else math.nan}
    hours = max(1, int(math.ceil((span_ms[1] - span_ms[0]) / 3_600_000)))
    hourly = np.zeros(hours)
    if len(net):
        h = np.clip((np.asarray(exit_ms) - span_ms[0]) // 3_600_000, 0, hours - 1).astype(int)
        np.add.at(hourly, h, pnl)
    sd = hourly.std(ddof=1) if hours > 1 else 0.0
    out["sharpe"] = float(hourly.mean() / sd * math.sqrt(HOURS_PER_YEAR)) if sd > 0 else 0.0
    order = np.argsort(exit_ms, kind="stable") if len(net) else np.zeros(0, int)
    equity = initial_krw + np.concatenate([[0.0], np.cumsum(pnl[order])])
    peak = np.maximum.accumulate(equity)
    out["max_drawdown"] = float(np.max(1.0 - equity / peak))
    return out


def random_entry_baseline(net_all: np.ndarray, market: np.ndarray, taken: np.ndarray, draws: int = 2000,
                          seed: int = 0) -> dict:
    """Random entry times at matched exposure, and a one-sided Monte Carlo permutation p-value.

    For each market the baseline takes as many trades as the model did, at entry rows drawn uniformly
    (without replacement) from that market's test rows, each held by the same exit rule and charged
    the same costs; the statistic is the mean net return per trade. p = (1 + #{random ≥ model}) / (1 + draws).
    """
    net_all = np.asarray(net_all, float)
    rng = np.random.default_rng(seed)
    if len(taken) == 0:
        return {"baseline_net_return_mean": math.nan, "baseline_p_value": math.nan, "baseline_trades": 0,
                "baseline_draw": np.zeros(0, np.int64)}
    model_stat = float(net_all[taken].mean())
    per_market = [(np.flatnonzero(market == m), int((market[taken] == m).sum())) for m in np.unique(market[taken])]
    stats = np.empty(draws)
    first = None
    for d in range(draws):
        picks = np.concatenate([rng.choice(rows, size=min(k, len(rows)), replace=False) for rows, k in per_market])
        if first is None:
            first = np.sort(picks)
        stats[d] = net_all[picks].mean()
    return {"baseline_net_return_mean": float(stats.mean()),
            "baseline_p_value": float((1 + (stats >= model_stat).sum()) / (1 + draws)),
            "baseline_trades": int(len(first)), "baseline_draw": first}


def deflated_sharpe(sharpe: float, n_obs: int, n_trials: int, skew: float = 0.0, kurt: float = 3.0,
                    sharpe_var: float = 1.0) -> float:
    """Bailey & López de Prado (2014): P(true SR > expected max SR of n_trials), per-period Sharpe inputs."""
    from scipy.stats import norm
    if n_obs < 2 or n_trials < 1:
        return math.nan
    g = 0.5772156649
    sr0 = math.sqrt(sharpe_var) * ((1 - g) * norm.ppf(1 - 1 / max(n_trials, 2)) + g * norm.ppf(1 - 1 / (max(n_trials, 2) * math.e))) \
        if n_trials > 1 else 0.0
    denom = math.sqrt(max(1e-12, 1 - skew * sharpe + (kurt - 1) / 4 * sharpe ** 2))
    return float(norm.cdf((sharpe - sr0) * math.sqrt(n_obs - 1) / denom))
