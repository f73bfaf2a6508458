"""Live exchange facade: the synchronous SimExchange surface the order manager uses, over the async Upbit client."""
from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from components.types.costs import CostModel
from components.types.orders import Fill
from engine.live.bridge import AsyncBridge, BridgeTimeout, wait_done
from engine.live.order import LiveOrder, _event, _f, iso_ms

__all__ = ["LiveExchange", "LiveOrder", "iso_ms"]

log = logging.getLogger("scalp.live")
FINAL = ("done", "cancel")


def _not_placed(e: BaseException) -> bool:
    from components.types.upbit.errors import not_placed
    return not_placed(e)


class LiveExchange:
    """create_order / cancel_order / get_order / open_orders / drain_fills / balance — what the engine's
    OrderManager and EngineLoop call on a SimExchange — answered by the real REST client through the bridge.

    - a create runs in the background: the caller waits at most `call_wait_ms` and otherwise gets the order
      back `unknown` (in flight); `resolve_order` settles it without blocking. Any failure after the request
      may have left (timeout, 5xx, dropped connection, malformed 2xx, 418/429 on the follow-up lookup) keeps
      it `unknown` and it is looked up by identifier with backoff — never re-sent; only a definite refusal
      (`errors.not_placed`) or "not found" `not_found_after_s` after the request ended makes it `rejected`;
    - fills come from the private `myOrder` stream when `private_stream` (engine/live/private_stream.py) and
      from each order's `trades` (GET /v1/order), polled in the background by `refresh()` — every
      poll_interval while the stream is down, every `stream_poll_s` while it is up — and booked on the
      engine thread exactly once by trade uuid, whichever path delivers a trade first; never from guesses;
    - `watch_markets` reads Upbit's market flags (warning) at start and every `market_check_s`;
    - balances are cached from /v1/accounts and refreshed by `refresh()` after any order activity;
    - without `call_wait_ms` (tools, tests) every call waits for its answer as a synchronous client would.
    """

    def __init__(self, rest: Any, bridge: AsyncBridge, timeout_s: float | None = None,
                 balance_max_age_s: float = 5.0, call_wait_ms: int | None = None, read_wait_ms: int | None = None,
                 not_found_after_s: float = 5.0, lookup_backoff_s: tuple[float, float] = (0.5, 10.0),
                 private_stream: bool = False, stream_poll_s: float = 5.0, market_check_s: float = 300.0,
                 refuse_cautions: tuple[str, ...] = ()) -> None:
        self.rest, self.bridge = rest, bridge
        self.p = rest.p
        rp = rest.p
        # The client itself retries reads and recovers creates; the bridge waits for all of that, plus slack.
        self.timeout_s = timeout_s or (rp.timeout_ms / 1000.0) * (rp.retries + 2) + 1.0
        self.call_wait_s = None if call_wait_ms is None else call_wait_ms / 1000.0
        self._loop_read_wait_s = self.timeout_s if read_wait_ms is None else min(self.timeout_s, read_wait_ms / 1000.0)
        self.read_wait_s = self.timeout_s            # start and shutdown wait for answers; the loop does not
        self.not_found_after_s = not_found_after_s
        self.lookup_backoff_s = lookup_backoff_s
        self.costs = CostModel()         # the engine binds the run's model; its fee only fills in a missing paid_fee
        self.balance_max_age_s = balance_max_age_s
        self.orders: dict[str, LiveOrder] = {}          # uuid -> order we placed (this session)
        self.unknown: dict[str, LiveOrder] = {}         # identifier -> create whose outcome is not known yet
        self._fills: list[Fill] = []
        self._bal: dict[str, tuple[float, float]] = {}
        self._bal_s = -math.inf
        self._bal_dirty = True
        self._poll_fut: Any = None
        self._poll_started_s = 0.0
        self.api_calls = 0
        self.api_errors = 0
        self.lookups_after_timeout = 0
        # execution quality (#15): private order stream, market flags
        self.fills_by_stream = 0
        self.fills_by_poll = 0
        self._early: dict[str, list[dict]] = {}        # uuid -> myOrder messages that beat the create answer
        self.stream_poll_s, self.market_check_s = stream_poll_s, market_check_s
        self.refuse_cautions = tuple(refuse_cautions)
        self._orders_polled_s = -math.inf
        self.flags: Any = None
        self.stream: Any = None
        if private_stream:
            from engine.live.private_stream import PrivateStream
            self.stream = PrivateStream(rest, bridge)
            self._orders_polled_s = time.monotonic()    # the stream delivers first; REST is the periodic net

    def bind_costs(self, costs: CostModel) -> None:
        self.costs = costs

    # ---- plumbing ----------------------------------------------------------------------------------
    def _call(self, coro, timeout_s: float | None = None, bounded: bool = True) -> Any:
        """A synchronous call on the engine thread: a read is bounded by `read_wait_ms` in a session."""
        self.api_calls += 1
        wait_s = timeout_s or self.timeout_s
        try:
            return self.bridge.call(coro, min(wait_s, self.read_wait_s) if bounded else wait_s)
        except Exception:
            self.api_errors += 1
            raise

    def bound_waits(self, on: bool) -> None:
        """While the engine loop runs (`on`), synchronous reads give up after `read_wait_ms`; at start and
        shutdown they wait for the client's own timeouts and retries."""
        self.read_wait_s = self._loop_read_wait_s if on else self.timeout_s

    def _spawn(self, coro) -> Any:
        self.api_calls += 1
        return self.bridge.spawn(coro)

    _wait = staticmethod(wait_done)

    # ---- orders ------------------------------------------------------------------------------------
    def create_order(self, market: str, side: str, ord_type: str, volume: Any = None, price: Any = None,
                     time_in_force: str | None = None, identifier: str | None = None,
                     ts_ms: int | None = None) -> LiveOrder:
        """POST /v1/orders in the background. Returns the order (`wait`/..., or `unknown` while in flight or
        unsettled); raises only a definite refusal (nothing was placed)."""
        if not identifier:
            raise ValueError("live orders need an identifier (the retry-safety key)")
        o = LiveOrder.pending(identifier, market, side, ord_type, volume, price)
        self.unknown[identifier] = o
        self._bal_dirty = True
        o.create_fut = self._spawn(self.rest.create_order(market, side, ord_type, volume=volume, price=price,
                                                          identifier=identifier, time_in_force=time_in_force))
        _event("order_sent", o)
        if self.call_wait_s is not None:
            self._wait(o.create_fut, self.call_wait_s)
            self.resolve_order(o)
        else:                           # a synchronous caller: wait until it is settled (bounded)
            deadline = time.monotonic() + 2 * self.timeout_s
            while self.resolve_order(o, wait_s=self.timeout_s) == "unknown" and time.monotonic() < deadline:
                time.sleep(0.05)
        if o.state == "rejected":
            raise o.error
        return o

    def resolve_order(self, o: LiveOrder, wait_s: float = 0.0) -> str:
        """One non-blocking step towards knowing an unknown create (waits at most `wait_s`); its state."""
        if o.state != "unknown":
            return o.state
        fut = o.create_fut
        if fut is not None:
            if not self._wait(fut, wait_s):
                now = time.monotonic()
                if now - o.started_s < self.timeout_s:
                    return o.state                       # still in flight
                fut.cancel()                             # hung: its effect is unknown, learn it by identifier
                o.create_fut, o.ended_s = None, now
                o.reason = f"no answer within {self.timeout_s:.1f} s"
                _event("order_unknown", o)
            else:
                o.create_fut = None
                o.ended_s = time.monotonic()
                try:
                    d = fut.result()
                except BaseException as e:  # noqa: BLE001  classified: refusal or unknown outcome
                    self.api_errors += 1
                    if _not_placed(e):
                        return self._reject(o, e, f"{getattr(e, 'error_name', type(e).__name__)}: {e}")
                    o.reason = f"{getattr(e, 'error_name', type(e).__name__)}: {e}"[:300]
                    _event("order_unknown", o)
                else:
                    if isinstance(d, dict) and d.get("uuid"):
                        return self._known(o, d)
                    self.api_errors += 1
                    o.reason = "create answered without an order uuid"
                    _event("order_unknown", o)
        return self._lookup_step(o, wait_s)

    def _lookup_step(self, o: LiveOrder, wait_s: float) -> str:
        from components.types.upbit import errors as E
        now = time.monotonic()
        if o.lookup_fut is None:
            if now < o.next_lookup_s:
                return o.state
            self.lookups_after_timeout += 1
            o.lookup_fut = self._spawn(self.rest.get_order(identifier=o.identifier))
            o.lookup_started_s = now
        if not self._wait(o.lookup_fut, wait_s):
            if now - o.lookup_started_s > self.timeout_s:       # past its deadline: give up this lookup
                o.lookup_fut.cancel()
            return o.state
        fut, o.lookup_fut = o.lookup_fut, None
        o.lookups += 1
        base, cap = self.lookup_backoff_s
        o.next_lookup_s = time.monotonic() + min(cap, base * 2 ** (o.lookups - 1))
        try:
            d = fut.result()
        except E.OrderNotFound:
            if time.monotonic() - o.ended_s >= self.not_found_after_s and o.lookups >= 2:
                err = E.OrderNotFound(f"create {o.identifier} not found by identifier {self.not_found_after_s:.0f} s "
                                      f"after its request ended ({o.reason}): never placed", 404)
                return self._reject(o, err, str(err))
            return o.state
        except BaseException as e:  # noqa: BLE001  418/429/5xx/unreachable: look again after the backoff
            self.api_errors += 1
            o.reason = f"lookup: {getattr(e, 'error_name', type(e).__name__)}"
            return o.state
        if not isinstance(d, dict) or not d.get("uuid"):
            self.api_errors += 1
            return o.state
        return self._known(o, d)

    def _known(self, o: LiveOrder, d: dict) -> str:
        """The exchange has the order: track it; its trades are polled (and booked once) from now on."""
        self.unknown.pop(o.identifier, None)
        o.uuid = str(d.get("uuid"))
        self.orders[o.uuid] = o
        o.state = "wait"
        self._bal_dirty = True
        self._absorb(o, d)
        _event("order_created", o, lookups=o.lookups)
        if self._early:                                  # stream messages that came before this answer
            from engine.live.private_stream import apply_my_order
            for msg in self._early.pop(o.uuid, []):
                apply_my_order(self, msg)
        return o.state

    def _reject(self, o: LiveOrder, err: BaseException, reason: str) -> str:
        self.unknown.pop(o.identifier, None)
        o.state, o.reason, o.error = "rejected", reason[:300], err
        return o.state

    def _lookup_after_timeout(self, identifier: str) -> dict:
        """cancel_and_new whose answer did not come in time: the new order by identifier, never sent again."""
        from components.types.upbit import errors as E
        self.lookups_after_timeout += 1
        try:
            return self._call(self.rest.get_order(identifier=identifier), bounded=False)
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
            # UNBOUNDED wait (unlike reads): a replace that gave up early would leave a new order nobody tracks
            d = self._call(self.rest.cancel_and_new(new_ord_type, prev_order_uuid=prev_uuid,
                                                    prev_order_identifier=prev_identifier, new_volume=new_volume,
                                                    new_price=new_price, new_identifier=new_identifier,
                                                    new_time_in_force=new_time_in_force), bounded=False)
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

    # ---- polling ----------------------------------------------------------------------------------
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
            self.fills_by_poll += 1
        if new:
            self._bal_dirty = True
        if o.remote_state in FINAL and "trades" in d and o.state not in FINAL:
            o.state = o.remote_state     # final only after its trades are booked above
            _event("order_" + o.state, o)

    def refresh(self) -> int:
        """Poll every tracked order that is not final (and balances when stale) in the background; results are
        booked here, on the engine thread, by this or a later call (or `drain_fills`). Waits at most
        `call_wait_ms` in a session, for the whole poll otherwise. Returns the orders the new poll covers."""
        self._harvest()
        self._stream_step()
        n = 0
        if self._poll_fut is not None and time.monotonic() - self._poll_started_s > self.timeout_s:
            self._poll_fut.cancel()                     # past its deadline (e.g. a long 429 pause): start afresh
            self._poll_fut = None
            self.api_errors += 1
        if self._poll_fut is None:
            uuids = [o.uuid for o in self.orders.values() if o.state not in FINAL and o.uuid]
            now_s = time.monotonic()
            streamed = self.stream is not None and self.stream.up
            if uuids and streamed and now_s - self._orders_polled_s < self.stream_poll_s:
                uuids = []                              # the stream delivers; REST only as the periodic net
            elif uuids:
                self._orders_polled_s = now_s
            balances = self._bal_dirty or time.monotonic() - self._bal_s > self.balance_max_age_s
            if uuids or balances:
                n = len(uuids)
                self.api_calls += n + balances
                self._poll_fut = self.bridge.spawn(self._poll(uuids, balances))
                self._poll_started_s = time.monotonic()
        if self._poll_fut is not None:
            self._wait(self._poll_fut, self.timeout_s if self.call_wait_s is None else self.call_wait_s)
            self._harvest()
        for o in list(self.unknown.values()):
            self.resolve_order(o)
        return n

    async def _poll(self, uuids: list[str], balances: bool) -> tuple[list, Any]:
        """GET /v1/order per order (+ /v1/accounts), each outcome a value (dict or the exception)."""
        import asyncio
        got = await asyncio.gather(*(self.rest.get_order(uuid_=u) for u in uuids), return_exceptions=True)
        bal: Any = None
        if balances:
            try:
                bal = await self.rest.accounts()
            except Exception as e:  # noqa: BLE001  handed back as a value, counted on the engine thread
                bal = e
        return list(zip(uuids, got)), bal

    def _harvest(self) -> None:
        """Book a finished background poll (engine thread only: orders and fills are never touched elsewhere)."""
        fut = self._poll_fut
        if fut is None or not fut.done():
            return
        self._poll_fut = None
        try:
            rows, bal = fut.result()
        except BaseException as e:  # noqa: BLE001  the whole poll failed (cancelled at close)
            self.api_errors += 1
            log.warning(json.dumps({"event": "poll_failed", "error": f"{type(e).__name__}: {e}"[:300]}))
            return
        for uuid, d in rows:
            o = self.orders.get(uuid)
            if isinstance(d, BaseException):
                self.api_errors += 1
            elif o is not None and isinstance(d, dict):
                self._absorb(o, d)
        if isinstance(bal, BaseException):
            self.api_errors += 1
        elif bal is not None:
            self._set_balances(bal)

    def pending_volume(self, market: str) -> float:
        """Signed base volume of fills polled but not yet drained by the engine (bids +, asks -)."""
        return sum(f.volume if f.side == "bid" else -f.volume for f in self._fills if f.market == market)

    def drain_fills(self) -> list[Fill]:
        self._harvest()
        self._stream_step()
        out, self._fills = self._fills, []
        out.sort(key=lambda f: f.ts_ms)
        return out

    # ---- balances ----------------------------------------------------------------------------------
    def accounts(self) -> list[dict]:
        return self._call(self.rest.accounts())

    def refresh_balances(self) -> dict[str, tuple[float, float]]:
        return self._set_balances(self.accounts())

    def _set_balances(self, rows: list[dict]) -> dict[str, tuple[float, float]]:
        self._bal = {str(r["currency"]): (_f(r.get("balance")), _f(r.get("locked"))) for r in rows}
        self._bal_s = time.monotonic()
        self._bal_dirty = False
        return dict(self._bal)

    def balance(self, currency: str) -> tuple[float, float]:
        """(available, locked) from the cache (refreshed by `refresh()`); never a network call per event."""
        if not self._bal:
            self.refresh_balances()
        return self._bal.get(currency, (0.0, 0.0))

    # ---- execution quality (#15): private stream, market flags, exchange clock ---------------------
    def _stream_step(self) -> None:
        if self.stream is not None:
            from engine.live.private_stream import apply_my_order
            for msg in self.stream.drain():
                apply_my_order(self, msg)
        if self.flags is not None:
            self.flags.step()

    def watch_markets(self, markets: list[str]) -> None:
        """Read the markets' flags now (bounded) and every `market_check_s` from `refresh()`."""
        from engine.live.market_flags import MarketFlags
        self.flags = MarketFlags(self, markets, self.market_check_s, cautions=self.refuse_cautions)

    def market_flags(self) -> dict[str, str]:
        """market -> why it takes no new entries (Upbit's warning flag, a refused caution), from the last check."""
        return self.flags.current if self.flags is not None else {}

    @property
    def clock_offset_ms(self) -> float | None:
        """Exchange clock minus ours (median over recent REST Date headers), ms."""
        return getattr(self.rest, "clock_offset_ms", None)

    def stream_stats(self) -> dict:
        s = self.stream
        return {"fills_by_stream": self.fills_by_stream, "fills_by_poll": self.fills_by_poll,
                "stream": None if s is None else {"up": s.up, "messages": s.messages, "reconnects": s.reconnects}}

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
        try:
            self.bridge.call(self.rest.close(), 5.0)
        except Exception:      # closing an already broken connection pool is not an error worth surfacing
            pass
