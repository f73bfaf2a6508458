"""SVG charts of the report: equity/drawdown lines, price with fills, reliability curves, importance bars."""
from __future__ import annotations

import html
import math

import numpy as np

from engine.i18n import t
from engine.report.tables import iso

W, H, PAD = 900, 240, 40


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
                   f'{iso(int(x))}</text>')
    return "".join(out)


def line_chart(x: np.ndarray, y: np.ndarray, color: str, fmt_y, cls: str, fill: bool = False,
               markers: str = "", sc: Scale | None = None) -> str:
    """One polyline chart as an inline <svg>."""
    if len(x) == 0:
        return f'<p class="muted">{t("report.no_data")}</p>'
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
        return f'<p class="muted">{t("report.no_price")}</p>'
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
        tip = f"{f['side']} {f['volume']:.8g} @ {f['price']:,.8g} {iso(int(f['ts_ms']))}"
        marks.append(f'<path class="{cls}" d="{shape}" data-tip="{html.escape(tip)}"/>')
    return line_chart(x, y, "#444", price_fmt, f"price price-{market}", markers="".join(marks), sc=sc)


def price_fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.6g}"


def calibration_section(sections: dict) -> str:
    """Reliability curves: {tower: {"p": [...], "observed": [...], "n": [...]}} (bin mean P vs frequency)."""
    cal = sections.get("calibration") or {}
    if not cal:
        return ""
    parts = [f'<section id="calibration"><h2>{t("report.h.calibration")}</h2>']
    for tid, c in cal.items():
        p, o = np.asarray(c.get("p", []), float), np.asarray(c.get("observed", []), float)
        if not len(p):
            continue
        s = 260
        pts = " ".join(f"{20 + a * (s - 40):.1f},{s - 20 - b * (s - 40):.1f}" for a, b in zip(p, o) if math.isfinite(b))
        note = t("report.cal_outcome", outcome=c["outcome"], minutes=f"{c.get('horizon_ms', 0) / 60000:g}") \
            if c.get("outcome") else ""
        parts.append(f'<h3>{html.escape(tid)}</h3><p class="muted">{html.escape(t("report.cal_note", outcome=note))}'
                     f'</p><svg class="calibration" viewBox="0 0 {s} {s}" width="{s}" '
                     f'height="{s}"><line x1="20" y1="{s - 20}" x2="{s - 20}" y2="20" stroke="#bbb" '
                     f'stroke-dasharray="4"/><polyline fill="none" stroke="#0969da" points="{pts}"/></svg>')
    parts.append("</section>")
    return "".join(parts)


def importance_section(sections: dict) -> str:
    imp = sections.get("feature_importance") or {}
    if not imp:
        return ""
    parts = [f'<section id="feature-importance"><h2>{t("report.h.importance")}</h2>']
    for tid, d in imp.items():
        items = sorted(((str(k), float(v)) for k, v in dict(d).items()), key=lambda kv: -abs(kv[1]))[:25]
        top = max((abs(v) for _, v in items), default=1.0) or 1.0
        bars = "".join(f'<tr><td>{html.escape(k)}</td><td><svg width="300" height="12"><rect width="'
                       f'{300 * abs(v) / top:.1f}" height="12" fill="#0969da"/></svg></td><td>{v:.4g}</td></tr>'
                       for k, v in items)
        parts.append(f"<h3>{html.escape(tid)}</h3><table>{bars}</table>")
    parts.append("</section>")
    return "".join(parts)


