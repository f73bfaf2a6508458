"""Where model results go: run folder (JSON, model, report.html section), the store (run + artifacts)."""
from __future__ import annotations

import html
import json
import math
import time
from pathlib import Path
from typing import Any

FOLD_COLUMNS = ("fold", "auc", "auc_up", "auc_stop", "auc_direction", "auc_volatility_ref", "brier", "ece", "log_loss", "trades", "net_pnl", "fees_krw", "spread_slippage_krw", "sharpe", "max_drawdown",
                "estimate_trades", "estimate_net_pnl", "baseline_net_pnl", "baseline_p_value", "train_seconds",
                "drift_ks_max", "drift_features_share", "calibration_ece")
DSR_NOTE = ("deflated_sharpe: Bailey & López de Prado (2014) deflated Sharpe ratio of this run's hourly test returns: "
            "n_trials = distinct configurations recorded in the store's trials table on an overlapping data span "
            "(deflated_sharpe_trials), the variance of their Sharpe ratios, and the skew and kurtosis of the returns; "
            "the probability that the true Sharpe is above what the best of that many luck-only trials would show; "
            "< 0.95 = no evidence. Sharpe, p-values and DSR are null (na_reason) below min_trades trades")
DRIFT_NOTE = ("drift_ks_max / drift_features_share: two-sample KS of each feature, test window vs training "
              "window (shifted = p < 0.01 and KS >= 0.1); calibration_ece: 10-bin ECE of the fused P(up) on "
              "the last 500 test outcomes (what the calibration_error kill switch reads live)")


def fold_columns(result: dict) -> tuple[str, ...]:
    """FOLD_COLUMNS plus one AUC column per tower when several towers are fused."""
    towers = (result.get("folds") or [{}])[0].get("towers") or []
    extra = tuple(f"auc_{t}" for t in towers) if len(towers) > 1 else ()
    return FOLD_COLUMNS[:2] + extra + FOLD_COLUMNS[2:]


def clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, numpy scalars -> Python, drops live objects (towers)."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items() if k not in ("tower", "fold_towers")}   # live objects
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if hasattr(obj, "item") and not hasattr(obj, "__len__"):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj if isinstance(obj, (str, int, float, bool)) or obj is None else str(obj)


def run_dir(cfg, command: str) -> Path:
    base = Path(str(cfg.get("run", {}).get("out_dir", "outputs"))) if cfg is not None else Path("outputs")
    d = base / command / time.strftime("%Y%m%d-%H%M%S")
    d.mkdir(parents=True, exist_ok=True)
    return d


def store_result(cfg, command: str, result: dict) -> int | None:
    """Record a run and its fold metrics (artifact `<command>/<run_id>`) in the configured store."""
    if cfg is None or not cfg.get("store"):
        return None
    import registry
    from omegaconf import OmegaConf
    store = registry.build("store", cfg.store, path="store")
    try:
        run_id = store.start_run(command, OmegaConf.to_container(cfg, resolve=True), mode=command)
        store.save_artifact(f"{command}/{run_id}", command, clean({k: v for k, v in result.items()}), run_id=run_id)
        store.finish_run(run_id, "done")
        return run_id
    finally:
        store.close()


def save_model(cfg, tower, name: str, out: Path) -> Path:
    path = out / "model" / name
    tower.save(path)
    if cfg is not None and cfg.get("store"):
        import registry
        store = registry.build("store", cfg.store, path="store")
        try:
            store.save_artifact(f"model/{name}", "tower", tower.signature, path=str(path))
        finally:
            store.close()
    return path


# -- HTML ------------------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "–" if not math.isfinite(v) else f"{v:.4f}" if abs(v) < 100 else f"{v:,.0f}"
    return html.escape(str(v))


def _calibration_svg(curve: list[dict], size: int = 220) -> str:
    pts = [(c["p_mean"], c["y_mean"]) for c in curve if c["n"] and c["p_mean"] is not None
           and math.isfinite(c["p_mean"])]
    s = size - 20
    poly = " ".join(f"{10 + x * s:.1f},{10 + (1 - y) * s:.1f}" for x, y in pts)
    dots = "".join(f'<circle cx="{10 + x * s:.1f}" cy="{10 + (1 - y) * s:.1f}" r="3"/>' for x, y in pts)
    return (f'<svg width="{size}" height="{size}" class="calibration"><rect x="10" y="10" width="{s}" height="{s}" '
            f'fill="none" stroke="#999"/><line x1="10" y1="{10 + s}" x2="{10 + s}" y2="10" stroke="#bbb" '
            f'stroke-dasharray="4"/><polyline points="{poly}" fill="none" stroke="#1f77b4"/>{dots}</svg>')


def _na(stats: dict, key: str) -> str:
    """An HTML cell: the value, or "n/a (n < 30 trades)" where the sample-size guard removed it."""
    from engine.trials import shown
    return _fmt(stats.get(key)) if (stats.get("na_reason") or {}).get(key) is None else \
        html.escape(shown(stats, key, _fmt))


def walkforward_section(result: dict) -> str:
    """Self-contained HTML fragment: fold table, calibration curve per fold, feature importance.

    ENGINE's report can include it as is (`<section id="walkforward">`).
    """
    rows = result.get("folds", [])
    cols = fold_columns(result)
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_na(r, c)}</td>" for c in cols) + "</tr>" for r in rows)
    summ = result.get("summary") or {}
    first = rows[0] if rows else {}
    towers = ", ".join(first.get("towers") or [])
    fusion = (f'; fusion {html.escape(str(first.get("fusion")))} weights '
              f'{html.escape(json.dumps(first.get("fusion_weights") or {}))}' if first.get("fusion") else "")
    skipped = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in (result.get("towers_skipped") or {}).items())
    worst = "".join(f'<li>fold {r["fold"]}: {html.escape(", ".join(f"{n} {v:.3f}" for n, v in r.get("drift_worst") or []))}</li>'
                    for r in rows)
    extra = (f'<p>towers {html.escape(towers)}{fusion}; metrics are computed on the fused P(up), auc_&lt;tower&gt; '
             f'on each tower alone.</p>' + (f"<ul class='skipped'>{skipped}</ul>" if skipped else "") +
             f'<p>deflated Sharpe {_na(summ, "deflated_sharpe")} over N = {summ.get("deflated_sharpe_trials", 0)} '
             f'trials; Sharpe {_na(summ, "sharpe")}. {html.escape(DSR_NOTE)}</p><h3>Drift (test vs train)</h3><p>{html.escape(DRIFT_NOTE)}</p>'
             f'<ul class="drift">{worst}</ul>')
    curves = "".join(f'<figure><figcaption>fold {r["fold"]}</figcaption>{_calibration_svg(r["calibration_curve"])}'
                     f"</figure>" for r in rows if r.get("calibration_curve"))
    imp = sorted((result.get("feature_importance") or {}).items(), key=lambda kv: -kv[1])
    top = max((v for _, v in imp), default=1.0) or 1.0
    bars = "".join(f'<tr><td>{html.escape(n)}</td><td><div style="background:#1f77b4;height:10px;'
                   f'width:{200 * v / top:.0f}px"></div></td><td>{v:.2f}</td></tr>' for n, v in imp)
    leak = " (LEAKED label as a feature)" if result.get("leak") else ""
    return (f'<section id="walkforward"><h2>Walk-forward{leak}</h2>'
            f'<p>label {html.escape(str(result.get("label")))}, markets {html.escape(", ".join(result.get("markets", [])))}; '
            f'trades, net_pnl, fees_krw, spread_slippage_krw, sharpe, max_drawdown: the engine replay (simulated '
            f'exchange, configured exits, sizing and risk) with each fold\'s models over its test window, as in '
            f'scalp backtest; estimate_*: a vectorised estimate (barrier exits, cost model prices); baseline = '
            f'random entry at matched exposure on the estimate (one-sided Monte Carlo permutation p-value).</p>'
            f'<table class="folds"><tr>{head}</tr>{body}</table>{extra}'
            f'<h3>Calibration (test folds, 10 bins; diagonal = perfect)</h3><div class="curves" '
            f'style="display:flex;flex-wrap:wrap">{curves}</div>'
            f'<h3>Feature importance (last fold)</h3><table class="importance">{bars}</table></section>')


def write_report(result: dict, out: Path) -> Path:
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>walk-forward</title><style>"
            "body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}"
            "svg circle{fill:#1f77b4}</style></head><body>" + walkforward_section(result) + "</body></html>")
    path = out / "report.html"
    path.write_text(page)
    return path


def write_json(result: dict, out: Path) -> Path:
    path = out / "walkforward.json"
    path.write_text(json.dumps(clean(result), indent=1))
    return path
