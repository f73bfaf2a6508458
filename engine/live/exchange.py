"""Live exchange facade: the synchronous SimExchange surface the order manager uses, over the async Upbit client."""
from __future__ import annotations

import json
import logging
import math
import time
from datetime import datetime
from typing import Any

from components.types.costs import CostModel
from components.types.orders import Fill
from engine.live.bridge import AsyncBridge, BridgeTimeout

log = logging.getLogger("scalp.live")
FINAL = ("done", "cancel")


def _f(x: Any) -> float:
    try:
        return float(x) if x is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def iso_ms(text: str | None) -> int | None:
    """Upbit `created_at` (`2021-04-05T18:17:03+09:00`, maybe with microseconds) -> epoch ms."""
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        return None


class LiveOrder:
    """An exchange order as the engine sees it. Its `state` only becomes final once every trade of the order
    was turned into a Fill, so the engine never sees a closed order whose fills it has not booked yet."""

    def __init__(self, d: dict) -> None:
        self.uuid = str(d.get("uuid") or "")
        self.identifier = d.get("identifier")
        self.market, self.side, self.ord_type = d.get("market", ""), d.get("side", ""), d.get("ord_type", "")
        self.state = "wait"
        self.remote_state = "wait"
        self.trade_uuids: set[str] = set()
        self.created_ms = iso_ms(d.get("created_at")) or 0
        self.sent_wall_s = time.time()
        self.apply(d)

    def apply(self, d: dict) -> None:
        """Copy the numbers of an Upbit order object (any endpoint's shape)."""
        self.remote_state = str(d.get("state") or self.remote_state)
        self.price = _f(d.get("price")) or None
        self.volume = _f(d.get("volume")) or None
        self.remaining_volume = _f(d.get("remaining_volume"))
        self.executed_volume = _f(d.get("executed_volume"))
        self.executed_funds = _f(d.get("executed_funds"))
        self.paid_fee = _f(d.get("paid_fee"))
        self.locked = _f(d.get("locked"))
        ex = self.executed_volume
        self.avg_price = self.executed_funds / ex if ex > 0 and self.executed_funds else _f(d.get("avg_price"))

    def __repr__(self) -> str:
        return f"LiveOrder({self.identifier} {self.market} {self.side} {self.ord_type} {self.state})"


class LiveExchange:
    """create_order / cancel_order / get_order / open_orders / drain_fills / balance — what the engine's
    OrderManager and EngineLoop call on a SimExchange — answered by the real REST client through the bridge.

    - every call has an explicit timeout; a create that timed out is looked up by its identifier and never
      re-sent (the identifier is unique forever on Upbit, so a lookup is authoritative);
    - fills come from each order's `trades` (GET /v1/order), polled by `refresh()` — never from guesses;
    - balances are cached from /v1/accounts and refreshed by `refresh()` after any order activity.
    """

    def __init__(self, rest: Any, bridge: AsyncBridge, timeout_s: float | None = None,
                 balance_max_age_s: float = 5.0) -> None:
        self.rest, self.bridge = rest, bridge
        self.p = rest.p
        rp = rest.p
        # The client itself retries reads and recovers creates; the bridge waits for all of that, plus slack.
        self.timeout_s = timeout_s or (rp.timeout_ms / 1000.0) * (rp.retries + 2) + 1.0
        self.costs = CostModel()         # the engine binds the run's model; its fee only fills in a missing paid_fee
        self.balance_max_age_s = balance_max_age_s
        self.orders: dict[str, LiveOrder] = {}          # uuid -> order we placed (this session)
        self._fills: list[Fill] = []
        self._bal: dict[str, tuple[float, float]] = {}
        self._bal_s = -math.inf
        self._bal_dirty = True
        self.api_calls = 0
        self.api_errors = 0
        self.lookups_after_timeout = 0

    def bind_costs(self, costs: CostModel) -> None:
        self.costs = costs

    # ---- plumbing ----------------------------------------------------------------------------------
    def _call(self, coro, timeout_s: float | None = None) -> Any:
        self.api_calls += 1
        try:
            return self.bridge.call(coro, timeout_s or self.timeout_s)
        except Exception:
            self.api_errors += 1
            raise

    # ---- orders ------------------------------------------------------------------------------------
    def create_order(self, market: str, side: str, ord_type: str, volume: Any = None, price: Any = None,
                     time_in_force: str | None = None, identifier: str | None = None,
                     ts_ms: int | None = None) -> LiveOrder:
        """POST /v1/orders. On a timeout the order is looked up by identifier; only a definite 'not found'
        means it was never placed (then the error propagates and nothing is re-sent here)."""
        if not identifier:
            raise ValueError("live orders need an identifier (the retry-safety key)")
        try:
            d = self._call(self.rest.create_order(market, side, ord_type, volume=volume, price=price,
                                                  identifier=identifier, time_in_force=time_in_force))
        except BridgeTimeout:
            d = self._lookup_after_timeout(identifier)
        o = LiveOrder(d)
        self.orders[o.uuid] = o
        self._bal_dirty = True
        log.info(json.dumps({"event": "order_created", "identifier": identifier, "uuid": o.uuid,
                             "market": market, "side": side, "ord_type": ord_type, "state": o.remote_state}))
        if o.remote_state in FINAL or o.executed_volume > 0:
            self._sync(o)           # market orders are done at once: book their fills now, like the simulator
        return o

    def _lookup_after_timeout(self, identifier: str) -> dict:
        from components.types.upbit import errors as E
        self.lookups_after_timeout += 1
        try:
            return self._call(self.rest.get_order(identifier=identifier))
        except E.OrderNotFound:
            raise E.RequestTimeout(f"create {identifier} timed out and is not on the exchange; not re-sent", 0) \
                from None

    def cancel_order(self, uuid: str | None = None, identifier: str | None = None,
                     ts_ms: int | None = None) -> LiveOrder:
        """DELETE /v1/order: accepted asynchronously (still `wait`); `refresh()` sees it become `cancel`."""
        d = self._call(self.rest.cancel_order(uuid_=uuid, identifier=identifier))
        o = self.orders.get(str(d.get("uuid")))
        if o is None:
            o = LiveOrder(d)
        else:
            o.apply(d)
        self._bal_dirty = True
        return o

    def cancel_and_new(self, prev_uuid: str | None = None, prev_identifier: str | None = None,
                       new_ord_type: str = "limit", new_volume: Any = None, new_price: Any = None,
                       new_identifier: str | None = None, new_time_in_force: str | None = None,
                       ts_ms: int | None = None) -> tuple[LiveOrder, LiveOrder]:
        """POST /v1/orders/cancel_and_new: one request cancels the previous order and places the new one (same
        market and side). Upbit answers with the previous order plus `new_order_uuid`/`new_order_identifier`
        (UPBIT_API.md §3.9); the new order's numbers arrive with the next `refresh()`. A timeout is resolved
        by looking the new identifier up, never by sending again."""
        if not new_identifier:
            raise ValueError("live orders need an identifier (the retry-safety key)")
        try:
            d = self._call(self.rest.cancel_and_new(new_ord_type, prev_order_uuid=prev_uuid,
                                                    prev_order_identifier=prev_identifier, new_volume=new_volume,
                                                    new_price=new_price, new_identifier=new_identifier,
                                                    new_time_in_force=new_time_in_force))
            prev = self.orders.get(str(d.get("uuid")))
            if prev is None:
                prev = LiveOrder(d)
            else:
                prev.apply(d)
            vol = prev.remaining_volume if new_volume == "remain_only" else new_volume
            new = LiveOrder({"uuid": d.get("new_order_uuid"), "identifier": d.get("new_order_identifier"),
                             "market": prev.market, "side": prev.side, "ord_type": new_ord_type,
                             "price": new_price, "volume": vol, "remaining_volume": vol, "state": "wait"})
        except BridgeTimeout:
            new = LiveOrder(self._lookup_after_timeout(new_identifier))
            prev = next((o for o in self.orders.values()
                         if o.uuid == prev_uuid or (prev_identifier and o.identifier == prev_identifier)), None) \
                or new
        self.orders[new.uuid] = new
        self._bal_dirty = True
        log.info(json.dumps({"event": "order_replaced", "prev_uuid": prev.uuid, "identifier": new_identifier,
                             "uuid": new.uuid, "market": new.market, "price": str(new_price)}))
        return prev, new

    def get_order(self, uuid: str | None = None, identifier: str | None = None) -> LiveOrder:
        """GET /v1/order (with trades); a tracked order's new trades become fills."""
        d = self._call(self.rest.get_order(uuid_=uuid, identifier=identifier))
        o = self.orders.get(str(d.get("uuid")))
        if o is None:
            o = LiveOrder(d)
            o.state = o.remote_state
            return o
        self._absorb(o, d)
        return o

    def open_orders(self, market: str | None = None) -> list[LiveOrder]:
        """Every open order on the account (all pages of /v1/orders/open), tracked ones updated in place."""
        out: list[LiveOrder] = []
        page = 1
        while True:
            rows = self._call(self.rest.orders_open(market=market, page=page, limit=100))
            for d in rows:
                o = self.orders.get(str(d.get("uuid")))
                if o is None:
                    o = LiveOrder(d)
                else:
                    o.apply(d)
                out.append(o)
            if len(rows) < 100:
                return out
            page += 1

    # ---- polling -----------------------------------------------------------------------------------
    def _sync(self, o: LiveOrder) -> None:
        d = self._call(self.rest.get_order(uuid_=o.uuid))
        self._absorb(o, d)

    def _absorb(self, o: LiveOrder, d: dict) -> None:
        """New trades -> Fills (fee = the order's paid_fee growth, split by funds), then the state."""
        before_fee = o.paid_fee
        o.apply(d)
        new = [t for t in d.get("trades") or [] if str(t.get("uuid")) not in o.trade_uuids]
        funds = sum(_f(t.get("funds")) or _f(t.get("price")) * _f(t.get("volume")) for t in new)
        fee_total = max(o.paid_fee - before_fee, 0.0)
        for t in new:
            px, vol = _f(t.get("price")), _f(t.get("volume"))
            f_krw = _f(t.get("funds")) or px * vol
            fee = fee_total * f_krw / funds if funds > 0 and fee_total > 0 else f_krw * self.costs.fee_rate
            ts = iso_ms(t.get("created_at")) or int(time.time() * 1000)
            o.trade_uuids.add(str(t.get("uuid")))
            self._fills.append(Fill(o.market, o.uuid, o.side, px, vol, fee, ts, False))
        if new:
            self._bal_dirty = True
        if o.remote_state in FINAL and "trades" in d:
            o.state = o.remote_state     # final only after its trades are booked above

    def refresh(self) -> int:
        """Poll every tracked order that is not final (and balances when stale); returns orders polled."""
        n = 0
        for o in list(self.orders.values()):
            if o.state not in FINAL:
                self._sync(o)
                n += 1
        if self._bal_dirty or time.monotonic() - self._bal_s > self.balance_max_age_s:
            self.refresh_balances()
        return n

    def pending_volume(self, market: str) -> float:
        """Signed base volume of fills polled but not yet drained by the engine (bids +, asks -)."""
        return sum(f.volume if f.side == "bid" else -f.volume for f in self._fills if f.market == market)

    def drain_fills(self) -> list[Fill]:
        out, self._fills = self._fills, []
        out.sort(key=lambda f: f.ts_ms)
        return out

    # ---- balances ----------------------------------------------------------------------------------
    def accounts(self) -> list[dict]:
        return self._call(self.rest.accounts())

    def refresh_balances(self) -> dict[str, tuple[float, float]]:
        rows = self.accounts()
        self._bal = {str(r["currency"]): (_f(r.get("balance")), _f(r.get("locked"))) for r in rows}
        self._bal_s = time.monotonic()
        self._bal_dirty = False
        return dict(self._bal)

    def balance(self, currency: str) -> tuple[float, float]:
        """(available, locked) from the cache (refreshed by `refresh()`); never a network call per event."""
        if not self._bal:
            self.refresh_balances()
        return self._bal.get(currency, (0.0, 0.0))

    def close(self) -> None:
        try:
            self.bridge.call(self.rest.close(), 5.0)
        except Exception:      # closing an already broken connection pool is not an error worth surfacing
            pass
