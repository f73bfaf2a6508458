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
from engine.loop.slippage import SlippageBook, cap_price, touch_price
from engine.order_manager import ManagedOrder, OrderManager

log = logging.getLogger("scalp.live")
NEVER = -10**18


class Execution:
    """Sends entries and exits through the order manager, books fills into positions and the ledger, and
    values the account.

    A market with an order in flight or of unknown outcome sends nothing (no entry, no exit) until the order
    manager resolves it; an intent the exchange refused waits `orders.reject_backoff_ms` (doubling, capped)
    before its market and side send again. With `audit` (paper/live) every order state change is a JSON log
    line (INFO, scalp.live) and an `order_events` row.

    Execution quality (`orders.limit_first`, `orders.max_slippage_bps`): a market-type entry/exit may first
    rest as a limit at the touch (± offset ticks) and go at market for the remainder after
    `fallback_after_ms`; with a cap every market-type order goes as an IOC limit at the cap price, so no fill
    is worse than the cap from the decision price (the touch it was decided at), its unfilled remainder
    cancelled by the exchange and recorded. Every fill's slippage against its decision price feeds the
    `slippage_p95_bps` metric. A market the exchange flags (warning, suspended) takes no new entries."""

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
        window = orders.slippage_window_fills if orders is not None else 50
        self.slip = SlippageBook(getattr(md, "metrics", None), window)
        self.flagged: dict[str, str] = {}      # market -> why no entries went there (warning, suspended), ever
        self._suspended: dict[str, str] = {}   # markets whose orders the exchange refused market_offline
        self.flag_history: list[tuple[int, dict[str, str]]] = []   # [(from ts_ms, {market: why})]
        self._flags = getattr(ex, "market_flags", None)
        watch = getattr(ex, "watch_markets", None)
        if watch is not None:                  # live: read the exchange's market flags before the first entry
            watch(markets)

    # ---- fills and orders --------------------------------------------------------------------------
    def collect_fills(self) -> None:
        if self._drain is None:
            return
        fills = self._drain()
        for f in fills:
            self.rec.fill(f)
            self.slip.on_fill(f)
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
                    why = getattr(mo.order, "reason", "") or "exchange.not_found"
                    self.rec.order(om.row(mo, ts, why))
                    if "market_offline" in why:      # Upbit refuses orders on a suspended market
                        self._flag(mo.intent.market, "suspended", ts, sticky=True)
            if resolved:
                self.collect_fills()         # a found order may be final already: its fills first, then its state
        if om.open:                          # nothing working: nothing can have closed
            for mo in om.poll(ts):
                self.rec.order(om.row(mo, ts))
                if mo.extra:
                    self._after_close(mo, ts)

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
        flag = self.market_flag(m, ts)
        if flag:
            return f"market.flagged: {flag}"
        mo, why = self._send(intent, ts, "entry", self._decision_px(m, "bid"), self.om.s.limit_first.entries)
        if mo is None:
            self.rec.reject(intent, ts, why)
            if why.startswith("exchange."):
                self._refused(m, "bid", ts)
                if "market_offline" in why:          # Upbit refuses orders on a suspended market
                    self._flag(m, "suspended", ts, sticky=True)
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
        mo, why = self._send(intent, ts, "exit", price, self.om.s.limit_first.exits)
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

    # ---- execution quality: limit-first, slippage cap, market flags ----------------------------------
    def _decision_px(self, m: str, side: str) -> float:
        """The price a market-type order is decided at: the touch it would take (ask for a buy, bid for a
        sell), the last trade without a book."""
        touch = getattr(self.md, "best_ask" if side == "bid" else "best_bid", None) or {}
        px = touch.get(m, math.nan)
        return px if math.isfinite(px) and px > 0 else self.md.last_px[m]

    def _send(self, intent: OrderIntent, ts: int, purpose: str, decision_px: float,
              limit_first: bool) -> tuple[ManagedOrder | None, str]:
        """Send an intent: a market-type one limit-first at the touch when configured, else (capped) market."""
        lf = self.om.s.limit_first
        if lf.enabled and limit_first and lf.fallback_after_ms > 0 and intent.ord_type in ("price", "market"):
            m = intent.market
            tick = self.om.tick(m, decision_px) if math.isfinite(decision_px) else math.nan
            px = touch_price(intent.side, self.md.best_bid[m], self.md.best_ask[m], self.md.last_px[m],
                             lf.offset_ticks, tick) if math.isfinite(tick) else math.nan
            if math.isfinite(px) and px > 0:
                vol = intent.price / px if intent.ord_type == "price" else intent.volume
                limit = OrderIntent(m, intent.side, "limit", volume=vol, price=px, reason=intent.reason,
                                    identifier=intent.identifier)
                mo, why = self.om.submit(limit, ts, purpose, ref_price=px, ttl_ms=lf.fallback_after_ms)
                if mo is not None:
                    mo.extra["fallback"] = decision_px
                    self.slip.counts["limit_first"] += 1
                    self.slip.sent(mo, decision_px)
                    return mo, ""
                if not why.startswith("order."):     # the exchange refused the limit: do not fire a market
                    return None, why
        return self._market(intent, ts, purpose, decision_px)

    def _market(self, intent: OrderIntent, ts: int, purpose: str,
                decision_px: float) -> tuple[ManagedOrder | None, str]:
        """A market-type order; with `orders.max_slippage_bps` an IOC limit at the cap price instead."""
        bps = self.om.s.max_slippage_bps
        if bps > 0 and intent.ord_type in ("price", "market") and math.isfinite(decision_px) and decision_px > 0:
            cap = cap_price(intent.side, decision_px, bps, self.om.tick(intent.market, decision_px))
            vol = intent.price / cap if intent.ord_type == "price" else intent.volume
            capped = OrderIntent(intent.market, intent.side, "limit", volume=vol, price=cap, time_in_force="ioc",
                                 reason=intent.reason, identifier=intent.identifier)
            mo, why = self.om.submit(capped, ts, purpose, ref_price=cap, ttl_ms=0)
            if mo is not None:
                mo.extra["cap"] = cap
                self.slip.counts["capped_orders"] += 1
        else:
            mo, why = self.om.submit(intent, ts, purpose, ref_price=decision_px)
        self.slip.sent(mo, decision_px)
        return mo, why

    def _after_close(self, mo: ManagedOrder, ts: int) -> None:
        """A limit-first order that timed out sends its remainder at market; a capped order's remainder that
        the exchange cancelled is recorded (order event `slippage_capped`)."""
        left = float(getattr(mo.order, "remaining_volume", 0.0) or 0.0)
        m, side = mo.intent.market, mo.intent.side
        if "cap" in mo.extra:
            if mo.state == "cancel" and left > 0:
                self.slip.counts["capped_cancelled"] += 1
                self.slip.capped_volume += left
                self.om._note("slippage_capped", mo, ts, f"remainder {left:.8g} cancelled at cap {mo.extra['cap']}")
                log.info(json.dumps({"event": "slippage_capped", "market": m, "side": side, "identifier":
                                     mo.intent.identifier, "cap_price": mo.extra["cap"], "remaining_volume": left}))
                if float(getattr(mo.order, "executed_volume", 0.0) or 0.0) <= 0:
                    self._refused(m, side, ts)     # nothing within the cap: wait (doubling) before trying again
            return
        if "fallback" not in mo.extra or (mo.state == "cancel" and not mo.extra.get("expired")):
            return                             # cancelled on purpose (exit, kill switch, stop): no fallback
        if mo.state == "done" or left <= 0:
            self.slip.counts["limit_first_filled"] += 1
            return
        self.collect_fills()                   # the partial fill first: the remainder is what is still wanted
        decision_px = mo.extra["fallback"]
        if side == "bid":
            krw = left * float(mo.intent.price or 0.0)
            intent = OrderIntent(m, "bid", "price", price=krw, reason=mo.intent.reason)
        else:
            vol = self.positions[m].volume
            if vol <= 0:
                return
            intent = OrderIntent(m, "ask", "market", volume=vol, reason=mo.intent.reason)
        self.slip.counts["fallbacks"] += 1
        nmo, why = self._market(intent, ts, mo.purpose, decision_px)
        if nmo is None:
            self.rec.reject(intent, ts, why)
            if side == "ask" and (why.startswith("order.under_min_total") or why.startswith("order.zero_volume")):
                pos = self.positions[m]              # an unsellable dust remainder: written off like sell() does
                trade = self.ledger.write_off_dust(pos, ts, decision_px, self.fee_rate, mo.intent.reason)
                self.rec.position(pos, ts, closed=True, trade=trade)
                self.positions[m] = Position(m)
                self.holding_ctx.pop(m, None)
        else:
            self.collect_fills()

    def market_flag(self, m: str, ts: int) -> str:
        """Why `m` takes no entries now ('' = it does): the exchange's current flags (live; a lifted flag lets
        entries go again) or a suspension seen here (an order refused `market_offline`)."""
        now = self._flags() if self._flags is not None else {}
        for market, why in now.items():
            self._flag(market, why, ts)
        if now or self._suspended or self.flag_history:
            self._note_flags(now, ts)
        return now.get(m) or self._suspended.get(m, "")

    def _note_flags(self, now: dict[str, str], ts: int) -> None:
        """Keep the change of what refuses entries, by the event time it was first consulted at (the tape
        stores `flag_history`; `scalp parity` replays it, engine/parity.py FlagTimeline)."""
        refusing = {**now, **self._suspended} if self._suspended else dict(now)
        if refusing != (self.flag_history[-1][1] if self.flag_history else {}):
            self.flag_history.append((int(ts), refusing))

    def flag_source(self, flags: Any) -> None:
        """Where the current market flags come from (`() -> {market: reason}`): paper/live wire the exchange's
        REST flags merged with the feed's ticker states (engine/live/market_flags.py SessionFlags)."""
        self._flags = flags

    def _flag(self, m: str, why: str, ts: int, sticky: bool = False) -> None:
        """Remember a flag (the summary lists every market flagged during the run) and log it once; a sticky
        one (an order refused market_offline) holds for the rest of the session."""
        if sticky:
            self._suspended[m] = why
            self._note_flags(self._flags() if self._flags is not None else {}, ts)
        if self.flagged.get(m) == why:
            return
        self.flagged[m] = why
        log.warning(json.dumps({"event": "market_flagged", "market": m, "reason": why, "ts_ms": ts}))

    def quality(self) -> dict:
        """The summary's execution block: limit-first/cap counters, realised slippage, flagged markets."""
        out = {**self.slip.summary(), "flagged_markets": dict(self.flagged),
               "clock_offset_ms": getattr(self.ex, "clock_offset_ms", None)}
        stats = getattr(self.ex, "stream_stats", None)
        if stats is not None:
            out.update(stats())
        return out

    # ---- account ---------------------------------------------------------------------------------
    def cash(self) -> tuple[float, float]:
        avail, locked = self.ex.balance("KRW")
        return float(avail), float(locked)

    def valuation(self) -> tuple[float, float, dict[str, float]]:
        balance = self.ex.balance
        avail, locked = balance("KRW")
        held: dict[str, float] = {}
        last_px, bases, isfinite = self.md.last_px, self._bases, math.isfinite
        for m in self.markets:
            a, lk = balance(bases[m])
            vol = float(a) + float(lk)
            if vol > 0:
                px = last_px[m]
                if isfinite(px):
                    held[m] = vol * px
        cash = float(avail) + float(locked)
        return cash + sum(held.values()), cash, held

    def open_bids_krw(self) -> float:
        if not self.om.open:
            return 0.0
        return float(sum(getattr(mo.order, "locked", 0.0) for mo in self.om.open.values() if mo.intent.side == "bid"))

    def positions_krw(self, held: dict[str, float]) -> dict[str, float]:
        return {m: v for m, v in held.items() if v >= MIN_ORDER_KRW}

