"""Tables of the report a trader reads: by exit reason, per day, per market, kill-switch trips, folds, run config."""
from __future__ import annotations

import html
import json
import math
from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any

from engine.i18n import t
from engine.summary import krw, pct, split_trips

TRIP_LIST_MAX = 200


def iso(ts_ms: int | None) -> str:
    if ts_ms is None:
        return "-"
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def table(head: list[str], rows: list[list[Any]], cls: str = "", foot: list[Any] | None = None) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    tf = ("<tfoot><tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in foot) + "</tr></tfoot>") if foot else ""
    return f'<div class="wrap"><table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody>{tf}</table></div>'


def hold(ms: float) -> str:
    if ms is None or not math.isfinite(ms):
        return "-"
    s = int(round(ms / 1000))
    return t("report.hold", m=s // 60, s=s % 60)


def _group_row(trades: list[dict]) -> list[Any]:
    n = len(trades)
    wins = sum(1 for tr in trades if tr["net_krw"] > 0)
    avg_pct = 100 * sum(tr["net_return"] for tr in trades) / n if n else math.nan
    avg_hold = sum(tr.get("hold_ms", tr["exit_ts_ms"] - tr["entry_ts_ms"]) for tr in trades) / n if n else math.nan
    return [n, pct(100 * wins / n if n else math.nan, 1), pct(avg_pct, 3), krw(sum(tr["net_krw"] for tr in trades)),
            hold(avg_hold)]


def _cols(*keys: str) -> list[str]:
    return [t(f"report.col.{k}") for k in keys]


def exit_reason_table(trades: list[dict]) -> str:
    """Freqtrade-style: per exit reason the count, win rate, average net %, total net KRW and holding time."""
    if not trades:
        return f'<p class="muted">{t("report.none")}</p>'
    groups: dict[str, list[dict]] = defaultdict(list)
    for tr in trades:
        groups[str(tr.get("exit_reason") or "-")].append(tr)
    rows = [[reason, *_group_row(g)] for reason, g in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
    return table(_cols("reason", "trades", "win_rate", "avg_net_pct", "net", "avg_hold"), rows, "exit-reasons",
                 foot=[t("report.total"), *_group_row(trades)])


def per_day_table(trades: list[dict]) -> str:
    """One row per UTC day the trades closed on, with the running total."""
    if not trades:
        return f'<p class="muted">{t("report.none")}</p>'
    days: dict[str, list[dict]] = defaultdict(list)
    for tr in trades:
        days[iso(int(tr["exit_ts_ms"]))[:10]].append(tr)
    rows, cum = [], 0.0
    for day in sorted(days):
        g = days[day]
        cum += sum(tr["net_krw"] for tr in g)
        rows.append([day, *_group_row(g)[:4], krw(cum)])
    return table(_cols("day", "trades", "win_rate", "avg_net_pct", "net", "cum_net"), rows, "days")


def per_market_table(summary: dict, trades: list[dict]) -> str:
    rows = []
    for r in summary["markets"]:
        mt = [tr for tr in trades if tr["market"] == r["market"]]
        avg_hold = 1000 * r["avg_hold_s"] if mt else math.nan
        rows.append([r["market"], r["trades"], pct(r["win_rate_pct"], 1), krw(r["gross_krw"]),
                     krw(r["net_trades_krw"]), krw(r["fees_krw"]), hold(avg_hold), pct(r["exposure_pct"], 1),
                     r["decisions"], r["entries"]])
    return table(_cols("market", "trades", "win_rate", "gross", "net", "fees", "avg_hold", "exposure", "decisions",
                       "entries"), rows, "markets")


def recent_trades_table(trades: list[dict], price_fmt) -> str:
    rows = [[iso(tr["entry_ts_ms"]), iso(tr["exit_ts_ms"]), tr["market"], price_fmt(tr["entry_price"]),
             price_fmt(tr["exit_price"]) if math.isfinite(tr["exit_price"]) else "-", krw(tr["net_krw"]),
             pct(100 * tr["net_return"], 3), hold(tr.get("hold_ms", math.nan)), tr["exit_reason"]]
            for tr in trades]
    return table(_cols("entry", "exit", "market", "entry_px", "exit_px", "net", "net_pct", "avg_hold", "reason"),
                 rows, "trades")


def trips_section(trips: list[dict], trading_from_ms: int | None) -> str:
    """Counts per switch split into warm-up (before trading starts) and trading, then the trading trips listed
    first; warm-up trips only behind a fold-out (they cannot have changed an order)."""
    if not trips:
        return f'<p class="muted">{t("report.none")}</p>'
    start = int(trading_from_ms) if trading_from_ms is not None else None
    warm, trading = split_trips(trips, start)
    cw, ct = Counter(tr["switch"] for tr in warm), Counter(tr["switch"] for tr in trading)
    order = sorted(set(cw) | set(ct), key=lambda sw: -(cw[sw] + ct[sw]))
    if start is None:          # a run without a known trading start: counts per switch only
        counts = table(_cols("switch", "count"), [[sw, ct[sw]] for sw in order], "trip-counts",
                       foot=[t("report.total"), len(trading)])
        note = ""
    else:
        counts = table(_cols("switch", "warmup", "trading"), [[sw, cw.get(sw, 0), ct.get(sw, 0)] for sw in order],
                       "trip-counts", foot=[t("report.total"), len(warm), len(trading)])
        split = t("report.trips.split", warm=len(warm), trading=len(trading), start=iso(start))
        note = f'<p class="muted">{html.escape(split)}</p>'

    def listing(items: list[dict], cls: str) -> str:
        return table(_cols("time", "switch", "action", "market", "why"),
                     [[iso(tr["ts_ms"]), tr["switch"], tr["action"], tr.get("market") or "-", tr["reason"]]
                      for tr in items[:TRIP_LIST_MAX]], cls)
    out = note + counts
    if trading:
        out += f"<h3>{html.escape(t('report.trips.trading_list', n=min(len(trading), TRIP_LIST_MAX)))}</h3>"
        out += listing(trading, "trips")
    if warm:
        out += (f"<details><summary>{html.escape(t('report.trips.warm_list', n=min(len(warm), TRIP_LIST_MAX)))}"
                f"</summary>{listing(warm, 'trips-warmup')}</details>")
    return out


def folds_section(meta: dict) -> str:
    """The walk-forward fold table (folds numbered from 1, as on the console); calibration and importance are the
    report's own sections, not repeated here."""
    wf = meta.get("walkforward") or {}
    if not wf:
        return ""
    from engine.artifacts import _fmt, fold_columns
    rows = wf.get("folds") or []
    cols = fold_columns(wf)
    body = [[int(r["fold"]) + 1 if c == "fold" and isinstance(r.get(c), int)
             else "–" if r.get(c) is None else html.unescape(_fmt(r.get(c))) for c in cols] for r in rows]
    labels = ((meta.get("config") or {}).get("labels") or {}) if isinstance(meta.get("config"), dict) else {}
    label = wf.get("label") or ", ".join(f"{k} ({v.get('component', k)})" if isinstance(v, dict) else str(k)
                                         for k, v in labels.items()) or "-"
    markets = ", ".join(wf.get("markets") or meta.get("markets") or []) or "-"
    summ = wf.get("summary") or {}
    worst = "".join(f'<li>{int(r["fold"]) + 1}: '
                    f'{html.escape(", ".join(f"{n} {v:.3f}" for n, v in r.get("drift_worst") or []))}</li>'
                    for r in rows if r.get("drift_worst"))
    dsr = t("wf.dsr", dsr=_fmt(summ.get("deflated_sharpe")), trials=summ.get("deflated_sharpe_trials", 0))
    return (f'<section id="walkforward"><h2>{html.escape(t("report.h.walkforward"))}</h2>'
            f'<p class="muted">{html.escape(t("report.wf.caption", label=label, markets=markets))}</p>'
            f'{table(list(cols), body, "folds")}<p>{html.escape(dsr)}</p>'
            f'<p class="muted">{html.escape(t("wf.dsr_note"))}</p>'
            f'<h3>{html.escape(t("report.h.drift"))}</h3><p class="muted">{html.escape(t("wf.drift_note"))}</p>'
            f'<ul class="drift">{worst}</ul></section>')


def config_tree(node: Any, name: str = "config", depth: int = 0) -> str:
    """A config as a YAML-like tree of <details>: mappings fold, leaves read `key: value`."""
    if isinstance(node, dict) and node:
        inner = "".join(config_tree(v, str(k), depth + 1) for k, v in node.items())
        opened = " open" if depth == 0 else ""
        return f'<details class="cfg"{opened}><summary>{html.escape(name)}:</summary><div>{inner}</div></details>'
    if isinstance(node, list) and node and any(isinstance(v, (dict, list)) for v in node):
        inner = "".join(config_tree(v, f"- [{i}]", depth + 1) for i, v in enumerate(node))
        return f'<details class="cfg"><summary>{html.escape(name)}:</summary><div>{inner}</div></details>'
    return f'<div class="leaf">{html.escape(name)}: <code>{html.escape(_yaml_scalar(node))}</code></div>'


def _yaml_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)
