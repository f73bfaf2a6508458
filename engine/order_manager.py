"""Order manager: intents -> exchange orders (unique identifiers, tick grid, Decimal strings, minimum total, TTL)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from components.types.tick import floor_volume, fmt, snap
from components.types.costs import CostModel
from components.types.orders import OrderIntent
from components.types.quoting import QuoteAction, WorkingQuote
from engine.settings import OrderSettings


@dataclass
class ManagedOrder:
    """An order we sent: the intent, the exchange's order object, why, and when it expires."""
    intent: OrderIntent
    purpose: str                       # entry | exit | flatten
    sent_ms: int
    expires_ms: int | None
    order: Any = None                  # exchange order (SimOrder or the live client's object)
    cancel_sent: bool = False
    final: bool = False
    extra: dict = field(default_factory=dict)
    lookups: int = 0                   # identifier lookups made while the outcome was unknown
    next_lookup_ms: int = 0

    @property
    def uuid(self) -> str:
        return getattr(self.order, "uuid", "")

    @property
    def state(self) -> str:
        return getattr(self.order, "state", "rejected")

    @property
    def unknown(self) -> bool:
        """The create's outcome is not known (in flight, or its answer lost): the order may exist."""
        return self.state == "unknown"


@dataclass
class Pending:
    """Stand-in exchange order of a create whose outcome is unknown (exchanges without `resolve_order`)."""
    identifier: str
    state: str = "unknown"
    uuid: str = ""
    reason: str = ""


class OrderManager:
    """The one path from intent to exchange used by backtest, paper and live.

    - identifiers `<prefix>-<n>` are unique per run (the exchange refuses reuse, so a retry after a timeout
      looks the order up by identifier instead of sending it twice);
    - limit prices are snapped to the tick grid (bid down, ask up: never more aggressive than asked),
      volumes floored to the market precision, both sent as Decimal strings;
    - orders under the 5,000 KRW minimum are never sent (refused here with a reason);
    - resting orders past their TTL are cancelled; closed orders are handed back once (`poll`) so the
      engine can book them and re-issue remainders;
    - a create whose outcome is unknown (timeout, 5xx, dropped connection, malformed answer) stays tracked
      as `unknown` and blocks its market (`blocked`) until `resolve` finds it by identifier (then it is a
      normal order, its fills booked once) or learns it was never placed (then `rejected`); only a definite
      refusal is `rejected` at once. Every state change goes to `audit(event, mo, ts_ms, reason)` when set.
    """

    def __init__(self, exchange: Any, settings: OrderSettings | None = None, prefix: str = "scalp") -> None:
        if settings is not None and not isinstance(settings, OrderSettings):
            raise TypeError(f"OrderManager takes engine.settings.OrderSettings, got {type(settings).__name__}")
        self.ex = exchange
        self.s = settings if settings is not None else OrderSettings()
        self.prefix = prefix
        self.costs = CostModel()
        self._n = 0
        self.open: dict[str, ManagedOrder] = {}     # identifier -> order still working
        self.rejected: list[tuple[ManagedOrder, str]] = []
        self._last_poll_ms = -10**18
        self.quotes: dict[str, ManagedOrder] = {}    # market -> the one passive quote (post-only limit)
        self.quote_counts = {"new": 0, "replace": 0, "cancel": 0, "filled": 0, "rejected": 0}
        self.audit: Any = None                       # callable(event, mo, ts_ms, reason): paper/live only
        self._unknown: dict[str, ManagedOrder] = {}  # identifier -> order whose create outcome is unknown
        self._resolve = getattr(exchange, "resolve_order", None)

    def _note(self, event: str, mo: ManagedOrder, ts_ms: int, reason: str = "") -> None:
        if self.audit is not None:
            self.audit(event, mo, ts_ms, reason)

    # ---- sending -------------------------------------------------------------------------------
    def next_identifier(self) -> str:
        self._n += 1
        return f"{self.prefix}-{self._n:07d}"

    def bind_costs(self, costs: CostModel) -> None:
        """The run's cost model: its tick grid snaps prices when the exchange keeps none of its own."""
        self.costs = costs

    def tick(self, market: str, price: float) -> float:
        fn = getattr(self.ex, "tick_size", None)
        return float(fn(market, price)) if fn is not None else self.costs.tick_size(market, price)

    def prepare(self, intent: OrderIntent, ref_price: float) -> tuple[OrderIntent | None, str]:
        """Snap/floor/min-check an intent; (ready intent, "") or (None, reason)."""
        price, volume = intent.price, intent.volume
        if intent.ord_type == "limit":
            if price is None or not math.isfinite(price) or price <= 0:
                return None, "order.bad_price"
            price = snap(price, self.tick(intent.market, price), "down" if intent.side == "bid" else "up")
        if volume is not None:
            volume = floor_volume(volume, self.s.volume_decimals)
            if volume <= 0:
                return None, "order.zero_volume"
        if intent.ord_type == "price":
            total = price or 0.0
        elif intent.ord_type == "limit":
            total = price * (volume or 0.0)
        else:
            total = (volume or 0.0) * (ref_price if math.isfinite(ref_price) else 0.0)
        if total < self.s.min_order_krw:
            return None, f"order.under_min_total: {total:.0f} < {self.s.min_order_krw:.0f} KRW"
        ident = intent.identifier or self.next_identifier()
        return OrderIntent(intent.market, intent.side, intent.ord_type, volume, price, intent.time_in_force,
                           intent.reason, ident), ""

    def submit(self, intent: OrderIntent, ts_ms: int, purpose: str, ref_price: float = math.nan,
               ttl_ms: int | None = None) -> tuple[ManagedOrder | None, str]:
        """Send one intent; returns (managed order, "") or (None, refusal reason incl. the exchange error name)."""
        ready, why = self.prepare(intent, ref_price)
        if ready is None:
            return None, why
        ttl = self.s.ttl_ms if ttl_ms is None else ttl_ms
        mo = ManagedOrder(ready, purpose, ts_ms, ts_ms + ttl if ready.ord_type == "limit" and ttl > 0 else None)
        try:
            mo.order = self.ex.create_order(ready.market, ready.side, ready.ord_type,
                                            volume=fmt(ready.volume), price=fmt(ready.price),
                                            time_in_force=ready.time_in_force, identifier=ready.identifier,
                                            ts_ms=ts_ms)
        except Exception as e:      # Upbit error names (UpbitError) are expected; anything else too
            name = getattr(e, "error_name", None) or getattr(e, "name", None) or type(e).__name__
            reason = f"exchange.{name}: {e}"
            if not _outcome_unknown(e):
                mo.final = True
                self.rejected.append((mo, reason))
                self._note("rejected", mo, ts_ms, reason)
                return None, reason
            mo.order = Pending(ready.identifier)     # may exist: learn it by identifier, never send it again
            mo.extra["unknown_reason"] = reason[:300]
        self.open[ready.identifier] = mo
        self._note("sent", mo, ts_ms)
        if mo.unknown:
            self._unknown[ready.identifier] = mo
            self._note("unknown", mo, ts_ms, mo.extra.get("unknown_reason") or getattr(mo.order, "reason", ""))
        return mo, ""

    # ---- unknown outcomes --------------------------------------------------------------------------
    def unresolved(self) -> list[ManagedOrder]:
        """Orders whose create outcome is not known yet (in flight or unanswered)."""
        return [mo for mo in self._unknown.values() if mo.unknown]

    def blocked(self, market: str) -> bool:
        """True while `market` has an order in flight or unknown: no entry or exit is sent there until then."""
        return any(mo.intent.market == market and mo.unknown for mo in self._unknown.values())

    def resolve(self, ts_ms: int) -> list[ManagedOrder]:
        """Look unknown orders up by identifier (with backoff); returns those resolved — found (now tracked,
        fills booked by the normal poll) or proven never placed (`rejected`, removed)."""
        out: list[ManagedOrder] = []
        for ident, mo in list(self._unknown.items()):
            if mo.unknown:
                self._step(mo, ts_ms)
            if mo.unknown:
                continue
            del self._unknown[ident]
            out.append(mo)
            if mo.state == "rejected":
                reason = getattr(mo.order, "reason", "") or mo.extra.get("unknown_reason", "") or "exchange.not_found"
                self.open.pop(ident, None)
                mo.final = True
                self.rejected.append((mo, reason))
                self._note("rejected", mo, ts_ms, reason)
            else:
                self._note("resolved", mo, ts_ms)
        return out

    def _step(self, mo: ManagedOrder, ts_ms: int) -> None:
        if self._resolve is not None:          # the exchange settles it itself, without blocking
            self._resolve(mo.order)
            return
        if ts_ms < mo.next_lookup_ms:
            return
        mo.lookups += 1
        wait_ms = min(self.s.resolve_backoff_max_ms, self.s.resolve_backoff_ms * 2 ** min(mo.lookups - 1, 30))
        mo.next_lookup_ms = ts_ms + wait_ms
        try:
            mo.order = self.ex.get_order(identifier=mo.intent.identifier)
        except Exception as e:      # not found yet, or still unreachable: never placed only after a few lookups
            if type(e).__name__ == "OrderNotFound" and mo.lookups >= 3:
                mo.order = Pending(mo.intent.identifier or "", state="rejected")
                mo.order.reason = f"exchange.order_not_found after {mo.lookups} lookups: never placed"

    def adopt(self, order: Any, purpose: str, ts_ms: int) -> ManagedOrder:
        """Track an exchange order found at start (or by lookup) as ours: polled, its fills booked, TTL-cancelled."""
        vol = getattr(order, "volume", None)
        intent = OrderIntent(order.market, order.side, order.ord_type, volume=float(vol) if vol else None,
                             price=float(order.price) if getattr(order, "price", None) else None,
                             reason="adopted", identifier=order.identifier)
        ttl = self.s.ttl_ms
        mo = ManagedOrder(intent, purpose, ts_ms, ts_ms + ttl if intent.ord_type == "limit" and ttl > 0 else None,
                          order=order)
        self.open[order.identifier or order.uuid] = mo
        if mo.unknown:
            self._unknown[order.identifier] = mo
        self._note("adopted", mo, ts_ms)
        return mo

    # ---- passive quotes: at most one working post-only limit per market ------------------------------
    def working_quote(self, market: str) -> WorkingQuote | None:
        """The market's resting quote, or None once it filled, was cancelled or a cancel is under way."""
        mo = self.quotes.get(market)
        if mo is None or mo.cancel_sent or mo.state != "wait":
            return None
        left = getattr(mo.order, "remaining_volume", None)
        return WorkingQuote(mo.intent.side, float(mo.intent.price or 0.0),
                            float(left if left is not None else mo.intent.volume or 0.0), mo.intent.identifier or "")

    def place_quote(self, market: str, action: QuoteAction, ts_ms: int) -> tuple[ManagedOrder | None, str]:
        """A new post-only limit; a quote still working on the market is cancelled first (one per market)."""
        if self._unknown and self.blocked(market):
            return None, "order.blocked"
        if self.working_quote(market) is not None:
            self.cancel_quote(market, ts_ms)
        intent = OrderIntent(market, action.side, "limit", volume=action.volume, price=action.price,
                             time_in_force="post_only", reason=action.reason)
        mo, why = self.submit(intent, ts_ms, "quote", ttl_ms=0)    # a quote lives until replaced or pulled
        if mo is None:
            self.quote_counts["rejected"] += 1
            return None, why
        self.quote_counts["new"] += 1
        self.quotes[market] = mo
        return mo, ""

    def replace_quote(self, market: str, action: QuoteAction, ts_ms: int) -> tuple[ManagedOrder | None, str]:
        """Move the working quote to a new price/volume: one Upbit cancel_and_new where the exchange has it
        (same side only, §3.9); a side change or no working quote is cancel + place."""
        if self._unknown and self.blocked(market):
            return None, "order.blocked"
        prev = self.quotes.get(market)
        work = self.working_quote(market)
        replace = getattr(self.ex, "cancel_and_new", None)
        if work is None or work.side != action.side or replace is None:
            return self.place_quote(market, action, ts_ms)
        ready, why = self.prepare(OrderIntent(market, action.side, "limit", volume=action.volume,
                                              price=action.price, time_in_force="post_only",
                                              reason=action.reason), math.nan)
        if ready is None:
            self.quote_counts["rejected"] += 1
            return None, why
        mo = ManagedOrder(ready, "quote", ts_ms, None)
        prev.cancel_sent = True
        try:
            prev_order, mo.order = replace(prev_uuid=prev.uuid, new_ord_type="limit", new_volume=fmt(ready.volume),
                                           new_price=fmt(ready.price), new_identifier=ready.identifier,
                                           new_time_in_force="post_only", ts_ms=ts_ms)
            prev.order = prev_order or prev.order
        except Exception as e:      # previous order already gone (filled) or refused: no quote until the next tick
            name = getattr(e, "error_name", None) or getattr(e, "name", None) or type(e).__name__
            reason = f"exchange.{name}: {e}"
            mo.final = True
            self.rejected.append((mo, reason))
            self.quote_counts["rejected"] += 1
            if prev.state == "wait":    # never leave an untracked order resting: pull it explicitly
                self.cancel(prev, ts_ms)
            return None, reason
        self.open[ready.identifier] = mo
        self.quotes[market] = mo
        self.quote_counts["replace"] += 1
        return mo, ""

    def cancel_quote(self, market: str, ts_ms: int) -> bool:
        """Pull the market's working quote; False when there was none."""
        mo = self.quotes.get(market)
        if mo is None or mo.cancel_sent or mo.state != "wait":
            return False
        self.cancel(mo, ts_ms)
        self.quote_counts["cancel"] += 1
        return True

    # ---- housekeeping ----------------------------------------------------------------------------
    def poll(self, ts_ms: int) -> list[ManagedOrder]:
        """Cancel orders past TTL; return orders that reached a final state since the last poll."""
        if not self.open or ts_ms - self._last_poll_ms < self.s.poll_interval_ms:
            return []
        self._last_poll_ms = ts_ms
        closed = []
        for ident, mo in list(self.open.items()):
            state = mo.state
            if state == "wait" and mo.expires_ms is not None and ts_ms >= mo.expires_ms and not mo.cancel_sent:
                mo.extra["expired"] = True      # a TTL cancel (limit-first: its remainder goes at market)
                self.cancel(mo, ts_ms)
                state = mo.state
            if state in ("done", "cancel"):
                mo.final = True
                del self.open[ident]
                closed.append(mo)
                self._note(state, mo, ts_ms)
                if mo.purpose == "quote":
                    self.quote_counts["filled"] += state == "done"
                    if self.quotes.get(mo.intent.market) is mo:
                        del self.quotes[mo.intent.market]
        return closed

    def cancel(self, mo: ManagedOrder, ts_ms: int) -> None:
        if mo.unknown:              # no uuid yet: it is cancelled (if it exists) once resolved
            return
        mo.cancel_sent = True
        try:
            mo.order = self.ex.cancel_order(uuid=mo.uuid, ts_ms=ts_ms) or mo.order
        except Exception as e:      # already gone: the next poll sees its final state
            mo.extra["cancel_error"] = getattr(e, "error_name", type(e).__name__)
        self._note("cancel_sent", mo, ts_ms, mo.extra.get("cancel_error", ""))

    def cancel_all(self, ts_ms: int, market: str | None = None) -> int:
        n = 0
        for mo in list(self.open.values()):
            if (market is None or mo.intent.market == market) and mo.state == "wait" and not mo.cancel_sent:
                self.cancel(mo, ts_ms)
                n += 1
        return n

    def working(self, market: str, purpose: str | None = None) -> list[ManagedOrder]:
        return [mo for mo in self.open.values()
                if mo.intent.market == market and (purpose is None or mo.purpose == purpose)]

    def overdue(self, ts_ms: int, grace_ms: int = 60_000) -> int:
        """Orders still open well past their TTL (zombie candidates; the `zombie_orders` metric)."""
        return sum(1 for mo in self.open.values()
                   if mo.expires_ms is not None and ts_ms > mo.expires_ms + grace_ms)

    @staticmethod
    def row(mo: ManagedOrder, ts_ms: int, reason: str = "") -> dict:
        """Store row of an order (final or rejected)."""
        o, it = mo.order, mo.intent
        return {"ts_ms": ts_ms, "market": it.market, "side": it.side, "ord_type": it.ord_type,
                "price": it.price, "volume": it.volume, "state": mo.state, "identifier": it.identifier,
                "uuid": mo.uuid or None, "reason": reason or it.reason, "purpose": mo.purpose,
                "sent_ms": mo.sent_ms, "executed_volume": float(getattr(o, "executed_volume", 0.0) or 0.0),
                "paid_fee": float(getattr(o, "paid_fee", 0.0) or 0.0),
                "avg_price": float(getattr(o, "avg_price", 0.0) or 0.0)}


_UNKNOWN_OUTCOME = {"RequestTimeout", "TimeoutError", "TimeoutException", "TransportError", "RemoteProtocolError",
                    "ServerError", "MalformedResponse", "OutcomeUnknown", "ConnectionError", "JSONDecodeError"}


def _outcome_unknown(e: Exception) -> bool:
    """A create that may have reached the exchange (timeout, 5xx, dropped connection, unreadable answer), as
    opposed to a refusal: the order may exist and is looked up by identifier."""
    return bool({c.__name__ for c in type(e).__mro__} & _UNKNOWN_OUTCOME)
