"""Order safety for live sessions (DESIGN §7): startup sweep, wall-clock TTL watchdog, balance reconciliation."""
from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from components.types import metric_names as MN

log = logging.getLogger("scalp.live")
OWN_PREFIX = "scalp-"          # every identifier the engine sends starts with this (OrderManager prefix)


def is_own(order: Any, prefix: str = OWN_PREFIX) -> bool:
    ident = getattr(order, "identifier", None)
    return bool(ident) and str(ident).startswith(prefix)


class OrderGuard:
    """The three layers against zombie orders, plus reconciliation.

    1. `sweep()` at start: cancel our own leftovers (identifier prefix `scalp-`) from earlier sessions;
       foreign orders (placed by hand or by another program) are listed, never touched.
    2. per-order TTL: the OrderManager cancels limit orders past `orders.ttl_ms` in event time; this guard
       repeats it in wall-clock time so a stalled feed cannot keep an order alive.
    3. `watchdog()` every few seconds over /v1/orders/open: an open order of ours that the OrderManager does
       not track (e.g. a create whose answer was lost) is cancelled; the count of such orders plus orders
       alive past TTL + grace is the `zombie_orders` metric the kill switch reads.
    """

    def __init__(self, ex: Any, om: Any, ttl_s: float, grace_s: float = 10.0, prefix: str = OWN_PREFIX) -> None:
        self.ex, self.om = ex, om
        self.ttl_s, self.grace_s, self.prefix = ttl_s, grace_s, prefix
        self.zombies = 0
        self.cancelled: list[Any] = []           # everything the guard cancelled (sweep + watchdog)
        self.foreign: list[Any] = []
        self.baseline: dict[str, float] | None = None
        self.drift_pct = 0.0
        self._prev_drift_pct = 0.0

    # ---- layer 1 -----------------------------------------------------------------------------------
    def sweep(self, own_only: bool = True) -> list[Any]:
        """Cancel open orders of ours that no OrderManager tracks (all open orders when own_only=False)."""
        tracked = {mo.uuid for mo in self.om.open.values()} if self.om is not None else set()
        out = []
        self.foreign = []
        for o in self.ex.open_orders():
            if o.uuid in tracked:
                continue
            if own_only and not is_own(o, self.prefix):
                self.foreign.append(o)
                continue
            if self._cancel(o.uuid, "sweep", o):
                out.append(o)
        return out

    def _cancel(self, uuid: str, why: str, o: Any) -> bool:
        try:
            self.ex.cancel_order(uuid=uuid)
        except Exception as e:   # already closed meanwhile: nothing left to cancel
            log.info(json.dumps({"event": "cancel_failed", "why": why, "uuid": uuid,
                                 "error": getattr(e, "error_name", type(e).__name__)}))
            return False
        log.warning(json.dumps({"event": "order_cancelled", "why": why, "uuid": uuid,
                                "identifier": getattr(o, "identifier", None), "market": getattr(o, "market", "")}))
        self.cancelled.append(o)
        return True

    # ---- layers 2 + 3 ------------------------------------------------------------------------------
    def watchdog(self, ts_ms: int, metrics: Any = None, now_s: float | None = None) -> int:
        """One pass over the exchange's open orders; returns (and publishes) the zombie count."""
        now_s = time.time() if now_s is None else now_s
        by_uuid = {mo.uuid: mo for mo in self.om.open.values()}
        zombies = 0
        for o in self.ex.open_orders():
            mo = by_uuid.get(o.uuid) or self.om.open.get(o.identifier)   # an unknown create, found here
            if mo is None:
                if is_own(o, self.prefix):
                    zombies += 1
                    self._cancel(o.uuid, "watchdog_untracked", o)
                continue
            tracked = getattr(mo, "order", None)
            age_s = now_s - getattr(tracked, "sent_wall_s", now_s)
            if mo.expires_ms is None or age_s <= self.ttl_s:
                continue
            if not mo.cancel_sent:
                self.om.cancel(mo, ts_ms)            # wall-clock TTL (the event-time TTL did not fire)
            elif age_s > self.ttl_s + self.grace_s:
                zombies += 1                         # cancel sent long ago and still open: send it again
                self._cancel(o.uuid, "watchdog_ttl", o)
        self.zombies = zombies
        if metrics is not None:
            metrics.set(MN.ZOMBIE_ORDERS, zombies)
        return zombies

    # ---- reconciliation ----------------------------------------------------------------------------
    def reconcile(self, loop: Any, metrics: Any = None) -> dict:
        """Exchange holdings vs the engine's booked positions. The first call records the holdings that
        predate the session (never traded by the engine); later drift = unexplained change, in % of equity.
        The published metric is the smaller of the last two drifts: a fill that lands between the order poll
        and the balance read shows once, a real mismatch shows twice and reaches the kill switch."""
        bal = self.ex.refresh_balances()
        pending = getattr(self.ex, "pending_volume", lambda m: 0.0)
        held = {m: sum(bal.get(m.split("-", 1)[1], (0.0, 0.0))) - pending(m) for m in loop.markets}
        if self.baseline is None:
            self.baseline = {m: held[m] - loop.positions[m].volume for m in loop.markets}
        cash = sum(bal.get("KRW", (0.0, 0.0)))
        value, diff = 0.0, {}
        for m in loop.markets:
            px = loop.last_px.get(m, math.nan)
            d = held[m] - self.baseline[m] - loop.positions[m].volume
            diff[m] = d
            if math.isfinite(px):
                value += abs(d) * px
        equity = cash + sum(held[m] * loop.last_px[m] for m in loop.markets if math.isfinite(loop.last_px[m]))
        self.drift_pct = 100.0 * value / equity if equity > 0 else 0.0
        if metrics is not None:
            metrics.set(MN.BALANCE_DRIFT_PCT, min(self.drift_pct, self._prev_drift_pct))
        self._prev_drift_pct = self.drift_pct
        out = {"cash_krw": cash, "drift_pct": self.drift_pct, "diff": diff, "baseline": dict(self.baseline)}
        log.info(json.dumps({"event": "reconcile", **out}))
        return out
