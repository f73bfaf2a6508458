"""Self-contained HTML report: inline SVG charts and CSS, a few lines of inline JS; no CDN, opens offline."""
from __future__ import annotations

import html
import json
import math
from datetime import datetime, timezone
from typing import Any

import numpy as np

from engine.ledger import RunData
from engine.summary import drawdown, equity_arrays, krw, lines, num, pct

W, H, PAD = 900, 240, 40
CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:960px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}svg{background:#fafafa;border:1px solid #eee}
.muted{color:#777;font-size:12px}.buy{fill:#1a7f37}.sell{fill:#cf222e}#tip{position:fixed;background:#fff;
border:1px solid #999;padding:2px 6px;font-size:12px;display:none;pointer-events:none}"""
JS = """document.querySelectorAll('svg [data-tip]').forEach(function(el){el.addEventListener('mousemove',
function(e){var t=document.getElementById('tip');t.style.display='block';t.style.left=(e.clientX+12)+'px';
t.style.top=(e.clientY+12)+'px';t.textContent=el.getAttribute('data-tip');});el.addEventListener('mouseleave',
function(){document.getElementById('tip').style.display='none';});});"""


def _iso(ts_ms: int | None) -> str:
    if ts_ms is None:
        return "-"
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _down(x: np.ndarray, y: np.ndarray, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Downsample a series to <= n points (keeps first/last; min/max per bucket would be nicer, this is enough)."""
    if len(x) <= n:
        return x, y
    idx = np.unique(np.linspace(0, len(x) - 1, n).astype(int))
    return x[idx], y[idx]


class Scale:
    """Linear map from data (ts, value) to SVG pixels."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x0, self.x1 = float(x.min()), float(x.max()) if len(x) else 1.0
        fin = y[np.isfinite(y)]
        self.y0, self.y1 = (float(fin.min()), float(fin.max())) if len(fin) else (0.0, 1.0)
        if self.x1 <= self.x0:
            self.x1 = self.x0 + 1.0
        if self.y1 <= self.y0:
            self.y1 = self.y0 + (abs(self.y0) * 1e-3 or 1.0)

    def px(self, x: float) -> float:
        return PAD + (x - self.x0) / (self.x1 - self.x0) * (W - 2 * PAD)

    def py(self, y: float) -> float:
        return H - PAD - (y - self.y0) / (self.y1 - self.y0) * (H - 2 * PAD)


def _axes(sc: Scale, fmt_y) -> str:
    out = [f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#999"/>']
    for frac in (0.0, 0.5, 1.0):
        y = sc.y0 + frac * (sc.y1 - sc.y0)
        out.append(f'<text x="2" y="{sc.py(y) + 4:.1f}" font-size="10" fill="#555">{html.escape(fmt_y(y))}</text>')
    for frac in (0.0, 0.5, 1.0):
        x = sc.x0 + frac * (sc.x1 - sc.x0)
        anchor = "start" if frac == 0 else "end" if frac == 1 else "middle"
        out.append(f'<text x="{sc.px(x):.1f}" y="{H - 12}" font-size="10" fill="#555" text-anchor="{anchor}">'
                   f'{_iso(int(x))}</text>')
    return "".join(out)


def line_chart(x: np.ndarray, y: np.ndarray, color: str, fmt_y, cls: str, fill: bool = False,
               markers: str = "", sc: Scale | None = None) -> str:
    """One polyline chart as an inline <svg>."""
    if len(x) == 0:
        return '<p class="muted">(no data)</p>'
    xd, yd = _down(np.asarray(x, float), np.asarray(y, float))
    sc = sc or Scale(xd, yd)
    pts = " ".join(f"{sc.px(a):.1f},{sc.py(b):.1f}" for a, b in zip(xd, yd) if math.isfinite(b))
    area = ""
    if fill and pts:
        area = (f'<polygon points="{sc.px(xd[0]):.1f},{sc.py(sc.y1):.1f} {pts} {sc.px(xd[-1]):.1f},'
                f'{sc.py(sc.y1):.1f}" fill="{color}" fill-opacity="0.15"/>')
    return (f'<svg class="{cls}" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img">{_axes(sc, fmt_y)}'
            f'{area}<polyline fill="none" stroke="{color}" stroke-width="1.3" points="{pts}"/>{markers}</svg>')


def trades_chart(market: str, prices: list, trades: list[dict], fills: list[dict]) -> str:
    """Price of `market` with buy (green up) and sell (red down) fills on it."""
    if not prices:
        return '<p class="muted">(no price data)</p>'
    arr = np.asarray(prices, float)
    x, y = _down(arr[:, 0], arr[:, 1])
    fx = [f["ts_ms"] for f in fills]
    fy = [f["price"] for f in fills]
    sc = Scale(np.concatenate([x, np.asarray(fx, float)]) if fx else x,
               np.concatenate([y, np.asarray(fy, float)]) if fy else y)
    marks = []
    for f in fills[:4000]:
        cx, cy = sc.px(f["ts_ms"]), sc.py(f["price"])
        if f["side"] == "bid":
            shape = f'M{cx:.1f},{cy - 5:.1f} L{cx - 4:.1f},{cy + 3:.1f} L{cx + 4:.1f},{cy + 3:.1f} Z'
            cls = "buy"
        else:
            shape = f'M{cx:.1f},{cy + 5:.1f} L{cx - 4:.1f},{cy - 3:.1f} L{cx + 4:.1f},{cy - 3:.1f} Z'
            cls = "sell"
        tip = f"{f['side']} {f['volume']:.8g} @ {f['price']:,.8g} {_iso(int(f['ts_ms']))}"
        marks.append(f'<path class="{cls}" d="{shape}" data-tip="{html.escape(tip)}"/>')
    return line_chart(x, y, "#444", _price_fmt, f"price price-{market}", markers="".join(marks), sc=sc)


def _price_fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.6g}"


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def calibration_section(sections: dict) -> str:
    """Reliability curves: {tower: {"p": [...], "observed": [...], "n": [...]}} (bin mean P vs frequency)."""
    cal = sections.get("calibration") or {}
    if not cal:
        return ""
    parts = ['<section id="calibration"><h2>Calibration</h2>']
    for tid, c in cal.items():
        p, o = np.asarray(c.get("p", []), float), np.asarray(c.get("observed", []), float)
        if not len(p):
            continue
        s = 260
        pts = " ".join(f"{20 + a * (s - 40):.1f},{s - 20 - b * (s - 40):.1f}" for a, b in zip(p, o) if math.isfinite(b))
        note = f" — outcome: {c['outcome']} ({c.get('horizon_ms', 0) / 60000:g} min)" if c.get("outcome") else ""
        parts.append(f'<h3>{html.escape(tid)}</h3><p class="muted">x: mean predicted P(up) per bin, y: observed '
                     f'frequency, dashed: perfect calibration{html.escape(note)}</p><svg class="calibration" viewBox="0 0 {s} {s}" width="{s}" '
                     f'height="{s}"><line x1="20" y1="{s - 20}" x2="{s - 20}" y2="20" stroke="#bbb" '
                     f'stroke-dasharray="4"/><polyline fill="none" stroke="#0969da" points="{pts}"/></svg>')
    parts.append("</section>")
    return "".join(parts)


def importance_section(sections: dict) -> str:
    imp = sections.get("feature_importance") or {}
    if not imp:
        return ""
    parts = ['<section id="feature-importance"><h2>Feature importance</h2>']
    for tid, d in imp.items():
        items = sorted(((str(k), float(v)) for k, v in dict(d).items()), key=lambda kv: -abs(kv[1]))[:25]
        top = max((abs(v) for _, v in items), default=1.0) or 1.0
        bars = "".join(f'<tr><td>{html.escape(k)}</td><td><svg width="300" height="12"><rect width="'
                       f'{300 * abs(v) / top:.1f}" height="12" fill="#0969da"/></svg></td><td>{v:.4g}</td></tr>'
                       for k, v in items)
        parts.append(f"<h3>{html.escape(tid)}</h3><table>{bars}</table>")
    parts.append("</section>")
    return "".join(parts)


def render(data: RunData, s: dict[str, Any]) -> str:
    """The whole report as one HTML string."""
    meta = data.meta or {}
    ts, eq = equity_arrays(data)
    dd = drawdown(eq)
    title = f"scalp backtest — run {meta.get('run_id', '-')} ({meta.get('name', '')})"
    head = _table(["", ""], [[a, b] for a, b in lines(s)], "summary")
    per_market = _table(["market", "trades", "win rate", "gross KRW", "net KRW", "fees KRW", "exposure",
                         "decisions", "entries"],
                        [[r["market"], r["trades"], pct(r["win_rate_pct"], 1), krw(r["gross_krw"]),
                          krw(r["net_trades_krw"]), krw(r["fees_krw"]), pct(r["exposure_pct"], 1), r["decisions"],
                          r["entries"]] for r in s["markets"]], "markets")
    charts = []
    for m in data.markets:
        mf = [f for f in data.fills if f["market"] == m]
        charts.append(f"<h3>{html.escape(m)}</h3>" + trades_chart(m, data.prices.get(m, []),
                                                                  [t for t in data.trades if t["market"] == m], mf))
    trips = _table(["time", "switch", "action", "market", "reason"],
                   [[_iso(tr["ts_ms"]), tr["switch"], tr["action"], tr.get("market") or "-", tr["reason"]]
                    for tr in data.trips[:200]], "trips") if data.trips else '<p class="muted">none</p>'
    recent = _table(["entry", "exit", "market", "entry px", "exit px", "net KRW", "net %", "reason"],
                    [[_iso(t["entry_ts_ms"]), _iso(t["exit_ts_ms"]), t["market"], _price_fmt(t["entry_price"]),
                      _price_fmt(t["exit_price"]) if math.isfinite(t["exit_price"]) else "-", krw(t["net_krw"]),
                      pct(100 * t["net_return"], 3), t["exit_reason"]] for t in data.trades[-100:]], "trades")
    q = data.quality or {}
    quality = _table(["check", "count"], [[k, v] for k, v in q.items()], "quality")
    settings = html.escape(json.dumps({k: v for k, v in meta.items() if k not in ("feature_names",)},
                                      default=str, ensure_ascii=False))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style></head><body><div id="tip"></div>
<h1>{html.escape(title)}</h1>
<p class="muted">{_iso(s.get('start_ms'))} → {_iso(s.get('end_ms'))} · markets {html.escape(', '.join(data.markets))}
· events {meta.get('events', '-'):,} · net of fees (0.05 % per side), spread and slippage as simulated; Sharpe
annualised from {num(s.get('sharpe_interval_s'), 0)} s equity samples, 24/7 (365 d).</p>
<section id="summary"><h2>Summary</h2>{head}</section>
<section id="equity"><h2>Equity (KRW)</h2>{line_chart(ts, eq, "#0969da", lambda v: f"{v:,.0f}", "equity")}</section>
<section id="drawdown"><h2>Drawdown</h2>{line_chart(ts, -100 * dd, "#cf222e", lambda v: f"{v:.2f}%", "drawdown", fill=True)}</section>
<section id="trades"><h2>Trades on price</h2><p class="muted">▲ buy fill · ▼ sell fill (hover for details)</p>
{''.join(charts)}<h3>Last {min(100, len(data.trades))} round trips</h3>{recent}</section>
<section id="markets"><h2>Per market</h2>{per_market}</section>
{_walkforward(meta)}{calibration_section(data.sections or {})}{importance_section(data.sections or {})}
<section id="quality"><h2>Data quality</h2>{quality}</section>
<section id="killswitches"><h2>Kill-switch trips</h2>{trips}</section>
<section id="run"><h2>Run</h2><pre class="muted" style="white-space:pre-wrap">{settings}</pre></section>
<script>{JS}</script></body></html>"""


def _walkforward(meta: dict) -> str:
    """The fold table of a walk-forward backtest (engine/wf_backtest.py), when the run was one."""
    if not meta.get("walkforward"):
        return ""
    from engine.artifacts import walkforward_section
    return walkforward_section(meta["walkforward"])
