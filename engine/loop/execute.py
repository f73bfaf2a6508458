"""Execution part of the loop: order manager, positions, ledger, fills and exits."""
from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from components.types.orders import MIN_ORDER_KRW, OrderIntent, Position
from components.types.risk import ExitContext
from engine.ledger import Ledger
from engine.order_manager import ManagedOrder, OrderManager

log = logging.getLogger("scalp.live")
NEVER = -10**18


class Execution:
    """Sends entries and exits through the order manager, books fills into positions and the ledger, and
    values the account.

    A market with an order in flight or of unknown outcome sends nothing (no entry, no exit) until the order
    manager resolves it; an intent the exchange refused waits `orders.reject_backoff_ms` (doubling, capped)
    before its market and side send again. With `audit` (paper/live) every order state change is a JSON log
    line (INFO, scalp.live) and an `order_events` row."""

    def __init__(self, orders: Any, ex: Any, markets: list[str], initial_krw: float, risk: Any, md: Any,
                 recorder: Any, prefix: str, market_class: str, costs: Any, audit: bool = False) -> None:
        self.ex, self.risk, self.md, self.rec = ex, risk, md, recorder
        self.markets = markets
        self.om = OrderManager(ex, orders, prefix=prefix)
        if audit:
            self.om.audit = self._audit
        self._refusals: dict[tuple[str, str], tuple[int, int]] = {}    # (market, side) -> (count, until_ms)
        self.fee_rate = costs.fee_rate        # the loop's one cost model
        self.ledger = Ledger(markets, initial_krw)
        self.positions = {m: Position(m) for m in markets}
        self.exit_reason: dict[str, str] = {}
        self.exit_ctx = ExitContext(market_class=market_class)
        self.holding_ctx: dict[str, ExitContext] = {}     # market -> context with the model's expectation
        self._drain = getattr(ex, "drain_fills", None)
        self._bases = {m: m.split("-", 1)[1] for m in markets}

    # ---- fills and orders --------------------------------------------------------------------------
    def collect_fills(self) -> None:
        if self._drain is None:
            return
        fills = self._drain()
        for f in fills:
            self.rec.fill(f)
            pos = self.positions.get(f.market)
            if pos is None:
                continue
            closed = self.ledger.on_fill(pos, f, self.exit_reason.get(f.market, ""))
            if closed is not None:
                self.rec.position(pos, f.ts_ms, closed=True, trade=closed)
                self.positions[f.market] = Position(f.market)
                self.holding_ctx.pop(f.market, None)
                self.risk.on_trade_closed(f.market, f.ts_ms, closed["net_krw"], closed["net_return"])

    def poll(self, ts: int) -> None:
        om = self.om
        if om._unknown:                      # unknown outcomes first: found ones are polled below
            resolved = om.resolve(ts)
            for mo in resolved:
                if mo.state == "rejected":
                    self._refused(mo.intent.market, mo.intent.side, ts)
                    self.rec.order(om.row(mo, ts, getattr(mo.order, "reason", "") or "exchange.not_found"))
            if resolved:
                self.collect_fills()         # a found order may be final already: its fills first, then its state
        if om.open:                          # nothing working: nothing can have closed
            for mo in om.poll(ts):
                self.rec.order(om.row(mo, ts))

    def _refused(self, market: str, side: str, ts: int) -> None:
        """One more refusal of this market and side: wait before sending there again (doubling, capped)."""
        n = self._refusals.get((market, side), (0, NEVER))[0] + 1
        s = self.om.s
        wait_ms = min(s.reject_backoff_max_ms, s.reject_backoff_ms * 2 ** min(n - 1, 30))
        self._refusals[(market, side)] = (n, ts + wait_ms)

    def backing_off(self, market: str, side: str, ts: int) -> bool:
        return ts < self._refusals.get((market, side), (0, NEVER))[1]

    def _audit(self, event: str, mo: ManagedOrder, ts: int, reason: str = "") -> None:
        it = mo.intent
        row = {"ts_ms": ts, "wall_ms": int(time.time() * 1000), "event": event, "identifier": it.identifier,
               "uuid": mo.uuid or None, "market": it.market, "side": it.side, "purpose": mo.purpose,
               "state": mo.state, "reason": (reason or "")[:300],
               "extra": {"ord_type": it.ord_type, "price": it.price, "volume": it.volume}}
        log.info(json.dumps({**row, "event": f"order_{event}"}, ensure_ascii=False, default=str))
        self.rec.order_event(row)

    def submit_entry(self, intent: OrderIntent, ts: int) -> str:
        """'' when sent, else the order manager's refusal (recorded as a rejected order)."""
        m = intent.market
        if self.om._unknown and self.om.blocked(m):
            return "order.blocked"
        if self.backing_off(m, "bid", ts):
            return "order.backoff"
        mo, why = self.om.submit(intent, ts, "entry", ref_price=self.md.last_px[m])
        if mo is None:
            self.rec.reject(intent, ts, why)
            if why.startswith("exchange."):
                self._refused(m, "bid", ts)
            return why
        self._refusals.pop((m, "bid"), None)
        self.risk.on_entry(m, ts)
        self.collect_fills()
        return ""

    # ---- exits -----------------------------------------------------------------------------------
    def check_exit(self, m: str, ts: int) -> None:
        om = self.om
        if om.open and (om.working(m, "exit") or (om._unknown and om.blocked(m))):
            return                          # an exit is working, or an order's outcome is unknown: never re-send
        pos = self.positions[m]
        bid = self.md.best_bid[m]
        price = bid if math.isfinite(bid) else self.md.last_px[m]
        if not math.isfinite(price):
            return
        sig = self.risk.check_exit(pos, price, ts, self.holding_ctx.get(m, self.exit_ctx))
        if sig is None or self.backing_off(m, "ask", ts):
            return
        for mo in self.om.working(m, "entry"):            # stop buying what we are selling
            self.om.cancel(mo, ts)
        self.collect_fills()
        self.sell(m, ts, sig.reason, price, sig.rests_limit)

    def expect_holding(self, m: str, expected_return: float) -> None:
        """The model's expected further return of the open position in `m` (NaN: none; exits then use their
        own proxy), seen by the exits from the next check on."""
        self.holding_ctx[m] = ExitContext(self.exit_ctx.market_class, expected_return)

    def sell(self, m: str, ts: int, reason: str, price: float, rests_limit: bool = False) -> None:
        pos = self.positions[m]
        if self.om.s.exit_type == "limit" and rests_limit:      # the exit declares it may rest
            intent = OrderIntent(m, "ask", "limit", volume=pos.volume, price=price, reason=reason)
        else:
            intent = OrderIntent(m, "ask", "market", volume=pos.volume, reason=reason)
        self.exit_reason[m] = reason
        mo, why = self.om.submit(intent, ts, "exit", ref_price=price)
        if mo is None:
            if why.startswith("order.under_min_total") or why.startswith("order.zero_volume"):
                trade = self.ledger.write_off_dust(pos, ts, price, self.fee_rate, reason)   # unsellable remainder
                self.rec.position(pos, ts, closed=True, trade=trade)
                self.positions[m] = Position(m)
                self.holding_ctx.pop(m, None)
            else:
                self.rec.reject(intent, ts, why)
                self._refused(m, "ask", ts)
            return
        self._refusals.pop((m, "ask"), None)
        self.collect_fills()

    # ---- account ---------------------------------------------------------------------------------
    def cash(self) -> tuple[float, float]:
        avail, locked = self.ex.balance("KRW")
        return float(avail), float(locked)

    def valuation(self) -> tuple[float, float, dict[str, float]]:
        avail, locked = self.cash()
        held: dict[str, float] = {}
        last_px = self.md.last_px
        for m in self.markets:
            a, lk = self.ex.balance(self._bases[m])
            vol = float(a) + float(lk)
            px = last_px[m]
            if vol > 0 and math.isfinite(px):
                held[m] = vol * px
        cash = avail + locked
        return cash + sum(held.values()), cash, held

    def open_bids_krw(self) -> float:
        return float(sum(getattr(mo.order, "locked", 0.0) for mo in self.om.open.values() if mo.intent.side == "bid"))

    def positions_krw(self, held: dict[str, float]) -> dict[str, float]:
        return {m: v for m, v in held.items() if v >= MIN_ORDER_KRW}

