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

    @property
    def uuid(self) -> str:
        return getattr(self.order, "uuid", "")

    @property
    def state(self) -> str:
        return getattr(self.order, "state", "rejected")


class OrderManager:
    """The one path from intent to exchange used by backtest, paper and live.

    - identifiers `<prefix>-<n>` are unique per run (the exchange refuses reuse, so a retry after a timeout
      looks the order up by identifier instead of sending it twice);
    - limit prices are snapped to the tick grid (bid down, ask up: never more aggressive than asked),
      volumes floored to the market precision, both sent as Decimal strings;
    - orders under the 5,000 KRW minimum are never sent (refused here with a reason);
    - resting orders past their TTL are cancelled; closed orders are handed back once (`poll`) so the
      engine can book them and re-issue remainders.
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
        except Exception as e:      # Upbit error names (UpbitError) are expected; anything else too: refuse, go on
            name = getattr(e, "error_name", None) or getattr(e, "name", None) or type(e).__name__
            if _is_timeout(e):      # the order may exist: look it up by identifier instead of sending it again
                found = self._lookup(ready.identifier)
                if found is not None:
                    mo.order = found
                    self.open[ready.identifier] = mo
                    return mo, ""
            reason = f"exchange.{name}: {e}"
            mo.final = True
            self.rejected.append((mo, reason))
            return None, reason
        self.open[ready.identifier] = mo
        return mo, ""

    def _lookup(self, identifier: str) -> Any:
        try:
            return self.ex.get_order(identifier=identifier)
        except Exception:           # not found (never reached the exchange) or still unreachable
            return None

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
                self.cancel(mo, ts_ms)
                state = mo.state
            if state in ("done", "cancel"):
                mo.final = True
                del self.open[ident]
                closed.append(mo)
                if mo.purpose == "quote":
                    self.quote_counts["filled"] += state == "done"
                    if self.quotes.get(mo.intent.market) is mo:
                        del self.quotes[mo.intent.market]
        return closed

    def cancel(self, mo: ManagedOrder, ts_ms: int) -> None:
        mo.cancel_sent = True
        try:
            mo.order = self.ex.cancel_order(uuid=mo.uuid, ts_ms=ts_ms) or mo.order
        except Exception as e:      # already gone: the next poll sees its final state
            mo.extra["cancel_error"] = getattr(e, "error_name", type(e).__name__)

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


def _is_timeout(e: Exception) -> bool:
    """A request whose outcome is unknown (timeout / dropped connection), as opposed to a refusal."""
    names = {c.__name__ for c in type(e).__mro__}
    return bool(names & {"RequestTimeout", "TimeoutError", "TimeoutException", "ConnectError", "RemoteProtocolError"})
