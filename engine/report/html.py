"""Self-contained HTML report: inline SVG charts and CSS, a few lines of inline JS; no CDN, opens offline.

Headings follow ui.lang; a Korean page embeds a subset of an open-licensed Korean font (engine/report/fonts/),
so it reads the same on a machine without CJK fonts."""
from __future__ import annotations

import base64
import html
from functools import lru_cache
from typing import Any

from engine.i18n import lang, t
from engine.ledger import RunData
from engine.report import tables
from engine.report.charts import calibration_section, importance_section, line_chart, price_fmt, trades_chart
from engine.summary import drawdown, equity_arrays, lines, num

CSS = """body{font-family:'ScalpKR',system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;color:#222;
max-width:1360px;padding:0 20px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}tfoot td{font-weight:bold;border-top:1px solid #999}
svg{background:#fafafa;border:1px solid #eee;max-width:100%;height:auto}.wrap{max-width:100%;overflow-x:auto}
.muted{color:#777;font-size:12px}.buy{fill:#1a7f37}.sell{fill:#cf222e}#tip{position:fixed;background:#fff;
border:1px solid #999;padding:2px 6px;font-size:12px;display:none;pointer-events:none}
.grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
details.cfg{margin-left:14px;font-size:13px}details.cfg>summary{cursor:pointer;font-family:monospace}
.leaf{margin-left:28px;font-family:monospace;font-size:13px}code{color:#0550ae}"""
JS = """document.querySelectorAll('svg [data-tip]').forEach(function(el){el.addEventListener('mousemove',
function(e){var t=document.getElementById('tip');t.style.display='block';t.style.left=(e.clientX+12)+'px';
t.style.top=(e.clientY+12)+'px';t.textContent=el.getAttribute('data-tip');});el.addEventListener('mouseleave',
function(){document.getElementById('tip').style.display='none';});});"""


@lru_cache(maxsize=1)
def font_face() -> str:
    """@font-face of the embedded Korean subset (empty when the file is missing: the page still opens)."""
    from engine.report.font_subset import FAMILY, FONT_FILE
    if not FONT_FILE.is_file():
        return ""
    data = base64.b64encode(FONT_FILE.read_bytes()).decode("ascii")
    return f"@font-face{{font-family:'{FAMILY}';src:url(data:font/woff;base64,{data}) format('woff');}}"


def _h2(key: str) -> str:
    return f"<h2>{html.escape(t(key))}</h2>"


def render(data: RunData, s: dict[str, Any]) -> str:
    """The whole report as one HTML string, in the current ui.lang."""
    meta = data.meta or {}
    ts, eq = equity_arrays(data)
    dd = drawdown(eq)
    title = t("report.title", run_id=meta.get("run_id", "-"), name=meta.get("name", ""))
    head = tables.table(["", ""], [[a, b] for a, b in lines(s)], "summary")
    charts = []
    for m in data.markets:
        mf = [f for f in data.fills if f["market"] == m]
        charts.append(f"<h3>{html.escape(m)}</h3>" + trades_chart(m, data.prices.get(m, []),
                                                                  [x for x in data.trades if x["market"] == m], mf))
    recent = data.trades[-100:]
    quality = tables.table([t("report.col.check"), t("report.col.count")],
                           [[k, v] for k, v in (data.quality or {}).items()], "quality")
    dd_chart = line_chart(ts, -100 * dd, "#cf222e", lambda v: f"{v:.2f}%", "drawdown", fill=True)
    last = (f'<h3>{html.escape(t("report.h.last_trades", n=len(recent)))}</h3>'
            f'{tables.recent_trades_table(recent, price_fmt)}')
    trips = tables.trips_section(data.trips, meta.get("trading_from_ms"))
    events = meta.get("events", "-")
    sub = t("report.subtitle", start=tables.iso(s.get("start_ms")), end=tables.iso(s.get("end_ms")),
            markets=", ".join(data.markets), events=f"{events:,}" if isinstance(events, int) else events,
            interval=num(s.get("sharpe_interval_s"), 0))
    font = font_face() if lang() == "ko" else ""
    return f"""<!DOCTYPE html><html lang="{lang()}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width"><style>{font}{CSS}</style></head><body><div id="tip"></div>
<h1>{html.escape(title)}</h1>
<p class="muted">{html.escape(sub)}</p>
<section id="summary">{_h2("report.h.summary")}{head}</section>
<section id="equity">{_h2("report.h.equity")}{line_chart(ts, eq, "#0969da", lambda v: f"{v:,.0f}", "equity")}</section>
<section id="drawdown">{_h2("report.h.drawdown")}{dd_chart}</section>
<section id="exit-reasons">{_h2("report.h.exit_reasons")}{tables.exit_reason_table(data.trades)}</section>
<section id="days">{_h2("report.h.days")}{tables.per_day_table(data.trades)}</section>
<section id="markets">{_h2("report.h.markets")}{tables.per_market_table(s, data.trades)}</section>
<section id="trades">{_h2("report.h.trades")}<p class="muted">{html.escape(t("report.trades_legend"))}</p>
{''.join(charts)}{last}</section>
{tables.folds_section(meta)}{calibration_section(data.sections or {})}{importance_section(_importance(data, meta))}
<section id="quality">{_h2("report.h.quality")}{quality}</section>
<section id="killswitches">{_h2("report.h.killswitches")}{trips}</section>
<section id="run">{_h2("report.h.run")}{_run_section(meta)}</section>
<script>{JS}</script></body></html>"""


def _importance(data: RunData, meta: dict) -> dict:
    """The towers' own importances; else the walk-forward's last fold (shown once either way)."""
    sections = data.sections or {}
    if sections.get("feature_importance"):
        return sections
    wf_imp = (meta.get("walkforward") or {}).get("feature_importance")
    return {"feature_importance": {"catboost": wf_imp}} if wf_imp else {}


def _run_section(meta: dict) -> str:
    facts = t("report.run.facts", run_id=meta.get("run_id", "-"), seed=meta.get("seed", "-"),
              events=meta.get("events", "-"), wall_s=num(meta.get("wall_s"), 1),
              towers=", ".join(meta.get("towers") or []) or "-",
              interval_ms=meta.get("decision_interval_ms", "-"), fill_model=meta.get("fill_model") or "-")
    rest = {k: v for k, v in meta.items() if k not in ("feature_names", "config", "walkforward")}
    cfg = meta.get("config")
    tree = tables.config_tree(cfg, t("report.run.config")) if isinstance(cfg, dict) else ""
    return (f"<p>{html.escape(facts)}</p>{tree}"
            f"{tables.config_tree(rest, t('report.run.meta'), depth=1)}")
