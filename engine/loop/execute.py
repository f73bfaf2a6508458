"""Execution part of the loop: order manager, positions, ledger, fills and exits."""
from __future__ import annotations

import math
from typing import Any

from components.types.orders import MIN_ORDER_KRW, OrderIntent, Position
from components.types.risk import ExitContext
from engine.ledger import Ledger
from engine.order_manager import OrderManager


class Execution:
    """Sends entries and exits through the order manager, books fills into positions and the ledger, and
    values the account."""

    def __init__(self, orders: Any, ex: Any, markets: list[str], initial_krw: float, risk: Any, md: Any,
                 recorder: Any, prefix: str, market_class: str, costs: Any) -> None:
        self.ex, self.risk, self.md, self.rec = ex, risk, md, recorder
        self.markets = markets
        self.om = OrderManager(ex, orders, prefix=prefix)
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
        if self.om.open:                     # nothing working: nothing can have closed
            for mo in self.om.poll(ts):
                self.rec.order(self.om.row(mo, ts))

    def submit_entry(self, intent: OrderIntent, ts: int) -> str:
        """'' when sent, else the order manager's refusal (recorded as a rejected order)."""
        mo, why = self.om.submit(intent, ts, "entry", ref_price=self.md.last_px[intent.market])
        if mo is None:
            self.rec.reject(intent, ts, why)
            return why
        self.risk.on_entry(intent.market, ts)
        self.collect_fills()
        return ""

    # ---- exits -----------------------------------------------------------------------------------
    def check_exit(self, m: str, ts: int) -> None:
        if self.om.open and self.om.working(m, "exit"):
            return
        pos = self.positions[m]
        bid = self.md.best_bid[m]
        price = bid if math.isfinite(bid) else self.md.last_px[m]
        if not math.isfinite(price):
            return
        sig = self.risk.check_exit(pos, price, ts, self.holding_ctx.get(m, self.exit_ctx))
        if sig is None:
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
            return
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

