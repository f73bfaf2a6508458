"""What the monitor shows, read from the running loop on the engine thread into a plain dict the server thread serves."""
from __future__ import annotations

import math
import time
from collections import deque
from typing import Any

from components.types import metric_names as MN

CURVE_POINTS = 600                # equity curve points the dashboard keeps (older ones thinned)
HEALTH_METRICS = (MN.ZOMBIE_ORDERS, MN.BALANCE_DRIFT_PCT, MN.SIM_REAL_GAP_PCT, MN.API_ERROR_RATE, MN.API_CALLS,
                  MN.STORE_ERRORS, MN.INFERENCE_LATENCY_MS, MN.MEMORY_RSS_MB)


def _num(x: Any) -> float | None:
    """JSON-safe float (NaN/inf -> None)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


class Taps:
    """Hooks into the loop's own call points (order audit, recorded decisions, model latency) that count on the
    engine thread what the snapshot cannot see afterwards: every order event, every decision's reasons."""

    def __init__(self, loop: Any, recent_rows: int, metrics: Any) -> None:
        self.loop, self.metrics = loop, metrics
        self.decisions: deque = deque(maxlen=recent_rows)
        self._sent_s: dict[str, float] = {}           # identifier -> wall time its create was sent
        self._fills_seen = len(loop.ledger.data.fills)
        om = loop.om
        prev_audit = om.audit

        def audit(event: str, mo: Any, ts_ms: int, reason: str = "") -> None:
            if prev_audit is not None:
                prev_audit(event, mo, ts_ms, reason)
            self._order_event(event, mo, reason)
        om.audit = audit
        rec = loop.recorder
        prev_decision = rec.decision

        def decision(ts: int, m: str, action: str, p: float, x: Any, px: float, scores: dict, reasons: list) -> None:
            prev_decision(ts, m, action, p, x, px, scores, reasons)
            self.decisions.append({"ts_ms": ts, "market": m, "action": action, "score": _num(p),
                                   "reasons": [str(r) for r in reasons]})
            self.metrics.decisions.labels(action).inc()
        rec.decision = decision
        pl = loop.pipeline
        prev_latency = pl._record_latency

        def latency(ms: float) -> None:
            prev_latency(ms)
            self.metrics.decision_latency.observe(ms / 1000.0)
        pl._record_latency = latency

    def _order_event(self, event: str, mo: Any, reason: str) -> None:
        m = self.metrics
        it = mo.intent
        m.order_events.labels(event).inc()
        if event == "sent":
            m.orders.labels(it.market, it.side, mo.purpose).inc()
            self._sent_s[it.identifier] = time.monotonic()
        elif event == "rejected":
            m.rejects.labels(_reason(reason)).inc()
        elif event == "cancel":
            m.cancels.labels(mo.purpose).inc()
        sent = self._sent_s.pop(it.identifier, None) if event != "sent" else None
        if sent is not None:                         # the first word of the exchange on this order
            m.round_trip.observe(time.monotonic() - sent)

    def count_fills(self) -> None:
        fills = self.loop.ledger.data.fills
        for f in fills[self._fills_seen:]:
            self.metrics.fills.labels(f["market"], f["side"]).inc()
        self._fills_seen = len(fills)


def _reason(reason: str) -> str:
    """The refusal's key without its details (`order.under_min_total: 4200 < 5000` -> `order.under_min_total`),
    so the counter's labels stay few."""
    head = (reason or "unknown").split(":", 1)[0].split(" ", 1)[0].strip()
    return head[:60] or "unknown"


class FeedWatch:
    """Per market: when its last event arrived (wall) and how old the event's own timestamp was then."""

    def __init__(self, silence: Any) -> None:
        self.silence = silence
        self._last_ev: Any = None
        self.arrived_s: dict[str, float] = {}
        self.lag_s: dict[str, float] = {}

    def tick(self) -> None:
        ev = getattr(self.silence, "last_ev", None)
        if ev is None or ev is self._last_ev:
            return
        self._last_ev = ev
        m = getattr(ev, "market", "")
        self.arrived_s[m] = self.silence.last_s
        ts = getattr(ev, "ts_ms", None)
        if ts is not None:
            self.lag_s[m] = max(0.0, time.time() - ts / 1000.0)


def snapshot(ctx: Any, taps: Taps, feed: FeedWatch, seq: int, recent_rows: int, extra: dict) -> dict:
    """The whole state the dashboard and the Prometheus collector read; built on the engine thread."""
    loop = ctx.loop
    ex, data = loop.execution, loop.ledger.data
    equity, cash, held = ex.valuation()
    fee = getattr(loop, "fee_rate", 0.0)
    positions, unreal = [], 0.0
    for m, pos in ex.positions.items():
        if pos.volume <= 0:
            continue
        px = loop.md.last_px[m]
        u = pos.volume * px * (1 - fee) - pos.cost_krw if math.isfinite(px) else math.nan
        unreal += u if math.isfinite(u) else 0.0
        positions.append({"market": m, "volume": pos.volume, "cost_krw": pos.cost_krw, "price": _num(px),
                          "value_krw": _num(held.get(m, 0.0)), "unrealized_krw": _num(u)})
    exposure = {m: _num(v) for m, v in held.items()}
    now_ms = loop.now_ms
    orders = [{"identifier": mo.intent.identifier, "market": mo.intent.market, "side": mo.intent.side,
               "ord_type": mo.intent.ord_type, "price": _num(mo.intent.price), "volume": _num(mo.intent.volume),
               "state": mo.state, "purpose": mo.purpose, "age_s": max(0.0, (now_ms - mo.sent_ms) / 1000.0)}
              for mo in list(loop.om.open.values())]
    risk = loop.risk
    active = {}
    for (sid, market), tr in list(risk.trips.items()):
        active.setdefault(sid, []).append({"action": tr.action, "reason": risk.describe(tr), "market": market,
                                           "since_ms": tr.started_ms})
    switches = [{"id": sid, "component": getattr(sw, "name", type(sw).__name__), "tripped": sid in active,
                 "trips": active.get(sid, [])} for sid, sw in risk.switches.items()]
    curve = data.equity[-CURVE_POINTS:]
    met = loop.metrics
    now = time.monotonic()
    sil = ctx.silence
    markets = {m: {"age_s": _num(now - feed.arrived_s[m]) if m in feed.arrived_s else None,
                   "lag_s": _num(feed.lag_s.get(m)), "last_ts_ms": _num(met.get(MN.per_market(MN.LAST_EVENT_TS_MS, m)))}
               for m in loop.markets}
    return {
        "seq": seq, "wall_s": time.time(), "run_id": ctx.run_id, "mode": ctx.mode, "status": extra.get("status", "running"),
        "events": int(getattr(ctx.result, "events", 0)), "initial_krw": loop.initial_krw,
        "equity_krw": _num(equity), "cash_krw": _num(cash), "unrealized_krw": _num(unreal),
        "realized_krw": _num(sum(t.get("net_krw", 0.0) for t in data.trades)),
        "positions": positions, "exposure_krw": exposure, "open_orders": orders,
        "fills": len(data.fills), "trades": len(data.trades), "decisions": int(sum(data.decisions.values())),
        "equity_curve": [[int(r["ts_ms"]), _num(r["equity_krw"])] for r in curve],
        "recent_decisions": list(taps.decisions)[-recent_rows:][::-1],
        "trading_state": getattr(risk.state, "value", str(risk.state)), "switches": switches,
        "trips": [dict(t) for t in data.trips[-recent_rows:]][::-1],
        "feed": {"url": getattr(sil, "url", ""), "age_s": _num(now - sil.last_s) if sil is not None else None,
                 "markets": markets, "reconnects": extra.get("reconnects")},
        "metrics": {k: _num(met.get(k)) for k in HEALTH_METRICS},
        "flagged_markets": _flagged(ex, loop.markets, now_ms),
        "remaining_req": dict(extra.get("remaining_req") or {}),
    }


def _flagged(ex: Any, markets: Any, now_ms: int) -> dict[str, str]:
    """market -> why it takes no new entries now (Upbit warning, unlisted, suspended, delisted: #15)."""
    flag = getattr(ex, "market_flag", None)
    if flag is None:
        return {}
    return {m: why for m in markets if (why := flag(m, now_ms))}
