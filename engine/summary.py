"""Run summary: trades, win rate, PnL, fees, turnover, drawdown, Sharpe, exposure, per-market rows (KRW, %).

Sharpe annualisation: equity is sampled every `equity_interval_ms` of market time (60 s by default); the
per-sample simple returns r give Sharpe = mean(r) / std(r) * sqrt(N), N = samples per year of a 24/7 market
(365 * 24 * 3600 s / interval: 525,600 for one-minute samples). Risk-free rate 0. Fewer than 30 samples:
not shown. With less than a few days of data the figure means little.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.i18n import t
from engine.ledger import RunData

YEAR_S = 365 * 24 * 3600
MIN_SHARPE_SAMPLES = 30


def equity_arrays(data: RunData) -> tuple[np.ndarray, np.ndarray]:
    ts = np.array([r["ts_ms"] for r in data.equity], np.int64)
    eq = np.array([r["equity_krw"] for r in data.equity], float)
    return ts, eq


def drawdown(eq: np.ndarray) -> np.ndarray:
    """Drawdown from the running peak as a fraction (0 = at the peak, 0.1 = 10 % below it)."""
    if len(eq) == 0:
        return eq
    peak = np.maximum.accumulate(eq)
    return np.where(peak > 0, 1.0 - eq / peak, 0.0)


def sharpe(eq: np.ndarray, ts: np.ndarray) -> tuple[float, float]:
    """(annualised Sharpe, sample interval in s) of the equity curve; NaN with < 3 samples or flat equity."""
    if len(eq) < MIN_SHARPE_SAMPLES:     # a handful of samples gives a meaningless (huge) figure
        return math.nan, math.nan
    dt_s = float(np.median(np.diff(ts))) / 1000.0
    r = np.diff(eq) / eq[:-1]
    sd = float(np.std(r, ddof=1))
    if dt_s <= 0 or sd <= 0 or not math.isfinite(sd):
        return math.nan, dt_s
    return float(np.mean(r) / sd * math.sqrt(YEAR_S / dt_s)), dt_s


def _exposure(data: RunData, market: str | None = None) -> float:
    """Share of equity samples with a position (any market, or `market`)."""
    if not data.equity:
        return 0.0
    if market is None:
        hit = sum(1 for r in data.equity if r.get("position_krw", 0.0) > 0)
    else:
        hit = sum(1 for r in data.equity if (r.get("held") or {}).get(market, 0.0) > 0)
    return hit / len(data.equity)


def _trade_stats(trades: list[dict]) -> dict[str, float]:
    n = len(trades)
    wins = sum(1 for tr in trades if tr["net_krw"] > 0)
    return {"trades": n, "win_rate_pct": 100.0 * wins / n if n else math.nan,
            "gross_krw": sum(tr["gross_krw"] for tr in trades),
            "net_trades_krw": sum(tr["net_krw"] for tr in trades),
            "avg_hold_s": float(np.mean([tr["hold_ms"] for tr in trades])) / 1000.0 if n else math.nan}


def split_trips(trips: list[dict], trading_from_ms: int | None) -> tuple[list[dict], list[dict]]:
    """(warm-up trips, trading trips): warm-up = before the first traded window starts (walk-forward); without a
    known trading start every trip counts as trading. The report and the console summary both split this way."""
    start = int(trading_from_ms) if trading_from_ms is not None else None
    warm = [tr for tr in trips if start is not None and int(tr["ts_ms"]) < start]
    trading = [tr for tr in trips if start is None or int(tr["ts_ms"]) >= start]
    return warm, trading


def compute(data: RunData, min_trades: int = 30) -> dict[str, Any]:
    """All summary figures as a plain dict (stored with the run; rendered as a table and in the report).

    Below `min_trades` closed trades the Sharpe is NaN with `na_reason` (engine/trials.py guard)."""
    ts, eq = equity_arrays(data)
    init = data.initial_krw
    final = float(eq[-1]) if len(eq) else init
    dd = drawdown(eq)
    sr, dt_s = sharpe(eq, ts)
    fees = sum(f["fee_krw"] for f in data.fills)
    notional = sum(f["price"] * f["volume"] for f in data.fills)
    s: dict[str, Any] = _trade_stats(data.trades)
    s.update({
        "initial_krw": init, "final_krw": final, "net_krw": final - init,
        "net_pct": 100.0 * (final - init) / init if init else math.nan,
        "gross_pct": 100.0 * s["gross_krw"] / init if init else math.nan,
        "fees_krw": fees, "turnover_x": notional / init if init else math.nan, "fills": len(data.fills),
        "max_drawdown_pct": 100.0 * float(dd.max()) if len(dd) else 0.0,
        "sharpe": sr, "sharpe_interval_s": dt_s,
        "exposure_pct": 100.0 * _exposure(data),
        "open_positions": len(data.open_positions),
        "unrealized_krw": sum(p["unrealized_krw"] for p in data.open_positions
                              if math.isfinite(p["unrealized_krw"])),
        "decisions": sum(data.decisions.values()),
        "entries": sum(v for (m, a), v in data.decisions.items() if a == "enter"),
        "blocked": sum(v for (m, a), v in data.decisions.items() if a == "blocked"),
        "trips": len(data.trips),
        "trips_by_switch": _count(tr["switch"] for tr in data.trips),
        "trips_warmup": len(split_trips(data.trips, data.meta.get("trading_from_ms"))[0]),
        "quality": dict(data.quality),
        "start_ms": int(ts[0]) if len(ts) else None, "end_ms": int(ts[-1]) if len(ts) else None,
    })
    rows = []
    for m in data.markets:
        mt = [tr for tr in data.trades if tr["market"] == m]
        mf = [f for f in data.fills if f["market"] == m]
        row = {"market": m, **_trade_stats(mt), "fees_krw": sum(f["fee_krw"] for f in mf),
               "exposure_pct": 100.0 * _exposure(data, m),
               "decisions": sum(v for (mm, a), v in data.decisions.items() if mm == m),
               "entries": data.decisions.get((m, "enter"), 0)}
        rows.append(row)
    s["markets"] = rows
    s.update(cost_breakdown(data.trades))
    s.update(predicted_vs_realised(data.trades))
    from engine.trials import guard
    return guard(s, s["trades"], min_trades, ("sharpe",))


def cost_breakdown(trades: list[dict]) -> dict[str, float]:
    """What the closed round trips paid, in KRW and in bps of what was bought (mean per trade): fees, half
    spreads, slippage + latency, tick rounding. Where the exchange reports no split (live) those read 0."""
    keys = ("fees_krw", "spread_krw", "slippage_krw", "tick_krw")
    out = {f"cost_{k}": float(sum(tr.get(k, 0.0) for tr in trades)) for k in keys}
    out["spread_slippage_krw"] = out["cost_spread_krw"] + out["cost_slippage_krw"] + out["cost_tick_krw"]
    for k in keys:
        bps = [1e4 * tr.get(k, 0.0) / tr["buy_krw"] for tr in trades if tr.get("buy_krw", 0) > 0]
        out[f"cost_{k[:-4]}_bps"] = float(np.mean(bps)) if bps else math.nan
    return out


PREDICTION_TOLERANCE_BPS = 10.0   # |predicted − realised| mean net per trade the entry rule may miss by


def predicted_vs_realised(trades: list[dict]) -> dict[str, Any]:
    """Mean expected net return the entry rule gave the trades it opened vs their realised net return, over the
    trades that carry a prediction (fractions; NaN when the entry rule predicts none), and the verdict:
    `within` (|predicted − realised| ≤ PREDICTION_TOLERANCE_BPS), `outside`, `no_trades` (the entry took
    none) or `no_prediction` (trades, but the entry rule predicts no return)."""
    got = [(tr["predicted_net_return"], tr["net_return"]) for tr in trades
           if math.isfinite(tr.get("predicted_net_return", math.nan))]
    real = [g[1] for g in got]
    out = {"predicted_trades": len(got),
           "predicted_net_return_mean": float(np.mean([g[0] for g in got])) if got else math.nan,
           "realised_net_return_mean": float(np.mean(real)) if got else math.nan,
           # the realised mean's standard error: how far apart the two may be by luck alone
           "realised_net_return_se": float(np.std(real, ddof=1) / math.sqrt(len(real))) if len(real) > 1 else math.nan}
    out.update(prediction_verdict(len(trades), out))
    return out


def prediction_verdict(trades: int, s: dict[str, Any]) -> dict[str, Any]:
    """{prediction_gap_bps, prediction_verdict} from `trades` closed round trips and the predicted/realised
    means of those that carry a prediction (`s`: predicted_trades, predicted_/realised_net_return_mean)."""
    if not trades:
        return {"prediction_gap_bps": math.nan, "prediction_verdict": "no_trades"}
    if not s.get("predicted_trades"):
        return {"prediction_gap_bps": math.nan, "prediction_verdict": "no_prediction"}
    gap = abs(1e4 * (s["predicted_net_return_mean"] - s["realised_net_return_mean"]))
    return {"prediction_gap_bps": float(gap),
            "prediction_verdict": "within" if gap <= PREDICTION_TOLERANCE_BPS else "outside"}


def pooled_prediction(rows: list[dict]) -> dict[str, Any]:
    """Predicted vs realised over several windows (the walk-forward folds) from each window's figures: trade-
    weighted means, the pooled standard error of the realised mean, and the verdict over all their trades."""
    n = np.asarray([r.get("predicted_trades") or 0 for r in rows], np.float64)
    out: dict[str, Any] = {"predicted_trades": int(n.sum()), "predicted_net_return_mean": math.nan,
                           "realised_net_return_mean": math.nan, "realised_net_return_se": math.nan}
    if n.sum() > 0:
        use = [(k, r) for k, r in zip(n, rows) if k > 0]
        pred = np.asarray([r["predicted_net_return_mean"] for _, r in use])
        real = np.asarray([r["realised_net_return_mean"] for _, r in use])
        k = np.asarray([k for k, _ in use])
        grand = float(np.sum(k * real) / k.sum())
        # within-window sums of squares from each window's se (se² · n = its variance), plus between windows
        var = np.asarray([(r.get("realised_net_return_se") or 0.0) ** 2 * c for c, r in use])
        ss = float(np.nansum(var * (k - 1)) + np.sum(k * (real - grand) ** 2))
        total = int(k.sum())
        out.update(predicted_net_return_mean=float(np.sum(k * pred) / k.sum()), realised_net_return_mean=grand,
                   realised_net_return_se=math.sqrt(ss / (total - 1) / total) if total > 1 else math.nan)
    out.update(prediction_verdict(int(sum(r.get("trades") or 0 for r in rows)), out))
    return out


def predicted_value(s: dict[str, Any]) -> str:
    """`predicted P · realised R ± se (n trades) · within 10 bps|off by D bps` — or that the entry took no trade,
    or that nothing was predicted."""
    verdict = s.get("prediction_verdict") or prediction_verdict(s.get("trades", 0), s)["prediction_verdict"]
    if verdict == "no_trades":
        return t("summary.predicted_no_trades")
    if verdict == "no_prediction" or not s.get("predicted_trades"):
        return t("summary.predicted_none")
    pred, real = 1e4 * s["predicted_net_return_mean"], 1e4 * s["realised_net_return_mean"]
    gap = abs(pred - real)
    shown = t("summary.predicted_within") if verdict == "within" else t("summary.predicted_off", bps=num(gap, 1))
    return t("summary.predicted_value", n=s["predicted_trades"], predicted=num(pred, 1), realised=num(real, 1),
             se=num(1e4 * s.get("realised_net_return_se", math.nan), 1), verdict=shown)


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def krw(x: float) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:,.0f}"


def pct(x: float, digits: int = 2) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.{digits}f}%"


def num(x: float, digits: int = 2) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def lines(s: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the headline table, in the current ui.lang."""
    from engine.trials import shown
    q = s.get("quality") or {}
    rows = [
        (t("summary.trades"), f"{s['trades']:,}"),
        (t("summary.win_rate"), pct(s["win_rate_pct"], 1)),
        (t("summary.gross_pnl"), f"{krw(s['gross_krw'])} KRW ({pct(s['gross_pct'])})"),
        (t("summary.net_pnl"), f"{krw(s['net_krw'])} KRW ({pct(s['net_pct'])})"),
        (t("summary.fees"), f"{krw(s['fees_krw'])} KRW"),
        (t("summary.costs"), t("summary.costs_value", fee=num(s.get("cost_fees_bps", math.nan), 1),
                               spread=num(s.get("cost_spread_bps", math.nan), 1),
                               slip=num(s.get("cost_slippage_bps", math.nan), 1),
                               tick=num(s.get("cost_tick_bps", math.nan), 1))),
        (t("summary.turnover"), f"{num(s['turnover_x'])}x"),
        (t("summary.predicted"), predicted_value(s)),
        (t("summary.max_drawdown"), pct(s["max_drawdown_pct"])),
        (t("summary.sharpe"), shown(s, "sharpe", num)),
        (t("summary.exposure"), pct(s["exposure_pct"], 1)),
        (t("summary.decisions"), t("summary.decisions_value", n=f"{s['decisions']:,}", entries=s["entries"],
                                   blocked=s["blocked"])),
        (t("summary.open_positions"), f"{s['open_positions']} ({krw(s['unrealized_krw'])} KRW)"),
        (t("summary.quality"), ", ".join(f"{k}={v}" for k, v in q.items()) or "-"),
        (t("summary.trips"), _trips_value(s)),
    ]
    if "deflated_sharpe_trials" in s:         # recorded as a trial: the DSR with N from the store
        rows.insert(10, (t("trials.dsr_label"), t("trials.dsr_value", dsr=shown(s, "deflated_sharpe", num),
                                                 trials=s["deflated_sharpe_trials"])))
    return rows


def _trips_value(s: dict[str, Any]) -> str:
    """`N (switch=n, ...)`; when some tripped during warm-up (before trading could start) the split comes first,
    since those cannot have changed an order."""
    if not s["trips"]:
        return "0"
    per = ", ".join(f"{k}={v}" for k, v in s["trips_by_switch"].items())
    warm = int(s.get("trips_warmup") or 0)
    if not warm:
        return f"{s['trips']} ({per})"
    return t("summary.trips_split", n=s["trips"], warm=warm, trading=s["trips"] - warm, per=per)


def render(s: dict[str, Any], console: Any = None, title: str = "") -> None:
    """Print the headline table and the per-market table with rich."""
    from rich.console import Console
    from rich.table import Table
    console = console or Console()
    head = Table(title=title or t("summary.title"), show_header=False)
    head.add_column(style="bold")
    head.add_column(justify="right")
    for label, value in lines(s):
        head.add_row(label, value)
    console.print(head)
    mk = Table(title=t("summary.per_market"))
    for col in ("market", "trades", "win_rate", "net_pnl", "fees", "exposure", "entries"):
        mk.add_column(t(f"summary.col.{col}"), justify="left" if col == "market" else "right")
    for r in s["markets"]:
        mk.add_row(r["market"], f"{r['trades']}", pct(r["win_rate_pct"], 1), krw(r["net_trades_krw"]),
                   krw(r["fees_krw"]), pct(r["exposure_pct"], 1), f"{r['entries']}")
    console.print(mk)
