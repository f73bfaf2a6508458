"""Simulated Upbit exchange: order validation, locked balances, latency, queue-aware matching (KRW, coin units)."""
from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

import numpy as np
from pydantic import Field

from components.exchange import _kernels as K
from components.exchange._span import replay_quiet
from components.exchange.accounts import Accounts
from components.exchange.errors import reject
from components.exchange.order_rules import check_price_and_total, parse_request
from components.exchange.sim_order import SimOrder, iso_kst, uuid4_of
from components.types.tick import MIN_TOTAL, floor_volume, fmt
from components.types.bar_spread import BarStats, bar_stats_batch
from components.types.costs import UPBIT_FEE_RATE, CostModel
from components.types.events import BOOK, CANDLE, TRADE
from components.types.orders import Fill
from registry import Params, register

_NEW, _CANCEL = 0, 1
# Upbit rejects market orders larger than the 30 visible levels (2025-05-07); the error name is not
# documented (UPBIT_API.md §3.3), these are the closest names seen in third-party error maps.
TOO_LARGE_BID, TOO_LARGE_ASK = "invalid_funds", "volume_too_large"


@dataclass(slots=True)
class MarketState:
    """What the exchange knows about one market: last book (+ what our takers used of it), prices, bars."""
    tick: float | None = None
    bid_px: np.ndarray | None = None
    bid_sz: np.ndarray | None = None
    ask_px: np.ndarray | None = None
    ask_sz: np.ndarray | None = None
    used_bid: np.ndarray | None = None
    used_ask: np.ndarray | None = None
    last_px: float = math.nan
    spread_state: object = None
    bars: tuple | None = None        # replay: (fill model, close ms, spread, sigma) per bar, computed in batch
    bar_i: int = -1                  # index of the last bar read from `bars`
    tick_data: bool = False          # prints/books seen: candles then only feed estimators, never fill
    resting: list = field(default_factory=list)


@register("exchange", "sim")
class SimExchange:
    """In-process Upbit: same order API, errors and money arithmetic as the real exchange; fills decided by
    the bound fill model on the replayed book/trade/candle events. Also the engine behind the local server.

    Fees, minimum order, tick grid, spread, slippage and latency cost come from the cost model: its own
    (from these Params and the bound fill model's) until the engine binds the run's one (`bind_costs`).
    It feeds that model what it sees: book spreads, bar spread estimates, bar volatility."""

    class Params(Params):
        fee_rate: float = Field(UPBIT_FEE_RATE, ge=0, le=0.01, description="maker = taker fee on KRW markets (§8.4)")
        min_total_krw: float = Field(5_000.0, ge=0, description="minimum order total on KRW markets")
        max_total_krw: float = Field(1_000_000_000.0, gt=0, description="maximum bid total (max_total)")
        volume_decimals: int = Field(8, ge=0, le=12, description="volume precision (decimals)")
        tick_sizes: dict[str, float] = Field(default_factory=dict, description="per-market tick override (/v1/orderbook/instruments tick_size)")
        reject_beyond_book: bool = Field(True, description="refuse market orders larger than the visible book (Upbit since 2025-05)")

    def __init__(self, p: "SimExchange.Params") -> None:
        self.p = p
        self.fill_model = None
        self.costs = CostModel.from_params(p)
        self._costs_bound = False
        self.acc = Accounts()
        self._orders: dict[str, SimOrder] = {}
        self._open: dict[str, SimOrder] = {}            # state wait, creation order
        self._by_ident: dict[str, SimOrder] = {}
        self._used_idents: set[str] = set()
        self._pending: list[tuple[int, int, int, SimOrder]] = []
        self._mkt: dict[str, MarketState] = {}
        self._fills: list[Fill] = []
        self._span = None                                # replay_quiet's reusable arrays (components/exchange/_span.py)
        self.book_version = 0                            # bumped whenever a resting order or its queue changes
        self._seq = 0
        self._rng = random.Random(0)
        self.now_ms = 0
        self.fees_paid_krw = 0.0

    # ---- setup -----------------------------------------------------------------------------------
    def bind(self, fill_model=None, balances: dict[str, float] | None = None, seed: int | None = None) -> "SimExchange":
        """Attach the fill model, deposit starting balances, seed uuids and latency draws."""
        if fill_model is not None:
            self.fill_model = fill_model
            self._own_costs()
        for cur, amt in (balances or {}).items():
            self.acc.deposit(cur, amt)
        if seed is not None:
            self._rng = random.Random(seed)
            if self.fill_model is not None:
                self.fill_model.reseed(seed)     # combined with the fill model's own `seed`
        return self

    def bind_costs(self, costs: CostModel) -> None:
        """Price every fill with the run's cost model (built from the same exchange + fill_model config)."""
        self.costs = costs
        self._costs_bound = True
        for market, st in self._mkt.items():
            if st.tick is not None:
                costs.observe_tick_size(market, st.tick)

    def _own_costs(self) -> None:
        if not self._costs_bound:
            self.costs = CostModel.from_params(self.p, self.fill_model.p)

    def _fm(self):
        if self.fill_model is None:   # zero-latency risk-averse queue unless the engine bound one
            import registry           # a sibling kind is built through the registry, never imported
            self.fill_model = registry.build("fill_model", {"component": "queue_conservative",
                                                            "order_latency_ms": 0}, path="fill_model")
            self._own_costs()
        return self.fill_model

    def set_tick_size(self, market: str, tick: float) -> None:
        self._state(market).tick = float(tick)
        self.costs.observe_tick_size(market, tick)

    def tick_size(self, market: str, price: float) -> float:
        st = self._state(market)
        return st.tick or self.costs.tick_size(market, price)

    def _state(self, market: str) -> MarketState:
        st = self._mkt.get(market)
        if st is None:
            st = self._mkt[market] = MarketState()
        return st

    # ---- market data -----------------------------------------------------------------------------
    def on_event(self, ev) -> None:
        k = ev.kind
        if k == TRADE:
            self.on_trade(ev)
        elif k == BOOK:
            self.on_book(ev)
        elif k == CANDLE:
            self.on_candle(ev)

    def advance(self, ts_ms: int) -> None:
        """Apply every order/cancel whose arrival time has come, then move the clock to `ts_ms`."""
        pend = self._pending
        while pend and pend[0][0] <= ts_ms:
            at, _, what, o = heapq.heappop(pend)
            self.now_ms = max(self.now_ms, at)
            if what == _NEW:
                self._arrive(o)
            elif o.state == "wait":
                self._close(o, "cancel")
        if ts_ms > self.now_ms:
            self.now_ms = ts_ms

    def on_trade(self, tr) -> None:
        self.advance(tr.ts_ms)
        self.book_version += 1
        st = self._state(tr.market)
        st.last_px = tr.price
        st.tick_data = True
        if not st.resting:                 # nothing resting here: the print fills nothing
            return
        for o in list(st.resting):
            fill, o.queue_ahead, at = K.trade_fill(o.is_bid, o.price, o.remaining_volume, o.queue_ahead,
                                                   tr.price, tr.volume, tr.side)
            o.traded_at_level += at
            if fill > 0.0:
                self._maker_fill(o, fill, tr.ts_ms)

    def on_book(self, bk) -> None:
        self.advance(bk.ts_ms)
        self.book_version += 1
        st = self._state(bk.market)
        st.bid_px, st.bid_sz, st.ask_px, st.ask_sz = bk.bid_px, bk.bid_sz, bk.ask_px, bk.ask_sz
        st.used_bid = st.used_ask = None
        st.tick_data = True
        if bk.bid_px[0] > 0 and bk.ask_px[0] > 0:
            st.last_px = 0.5 * (float(bk.bid_px[0]) + float(bk.ask_px[0]))
            self.costs.observe_book(bk.market, float(bk.bid_px[0]), float(bk.ask_px[0]))
        if not st.resting:
            return
        power = self._fm().queue_power
        for o in list(st.resting):
            same = (bk.bid_px, bk.bid_sz) if o.is_bid else (bk.ask_px, bk.ask_sz)
            opp = (bk.ask_px, bk.ask_sz) if o.is_bid else (bk.bid_px, bk.bid_sz)
            fill, o.queue_ahead, disp = K.book_update(o.is_bid, o.price, o.remaining_volume, o.queue_ahead,
                                                      same[0], same[1], opp[0], opp[1],
                                                      o.level_seen, o.traded_at_level, power)
            o.level_seen, o.traded_at_level = disp, 0.0
            if fill > 0.0:
                self._maker_fill(o, fill, bk.ts_ms)

    def on_candle(self, c) -> None:
        close_ms = c.ts_ms + c.interval_s * 1000
        self.advance(close_ms)
        self.book_version += 1
        fm = self._fm()
        st = self._state(c.market)
        bars = st.bars
        if bars is not None and bars[0] is fm:
            i = st.bar_i = st.bar_i + 1
            if i >= len(bars[1]) or bars[1][i] != close_ms:
                raise RuntimeError(f"precomputed bar spreads of {c.market} out of step with the replay at bar {i}")
            spread, sigma = bars[2][i], bars[3][i]
        else:
            if st.spread_state is None:
                st.spread_state = fm.new_spread_state()
            st.spread_state.update(c.high, c.low, c.interval_s * 1000)
            spread, sigma = st.spread_state.value(), st.spread_state.sigma()
        self.costs.observe_bar_spread(c.market, spread)
        self.costs.observe_bar_vol(c.market, sigma, c.interval_s * 1000)
        if st.tick_data:       # the prints already decided every fill inside this bar
            return
        full = budget = fm.bar_budget(c.volume)
        for o in list(st.resting):
            share = fm.arrival_share(c.ts_ms, close_ms, o.arrival_ms)
            if share <= 0.0:                  # arrived after this bar: it cannot have traded in it
                continue
            v = fm.bar_fill(o.is_bid, o.price, o.remaining_volume, c.low, c.high, min(budget, full * share))
            if v > 0.0:
                budget -= self._maker_fill(o, v, close_ms)
        st.last_px = c.close

    def precompute_bars(self, streams: dict) -> None:
        """Replay of candle-only streams: every bar's spread estimate and volatility computed before the first
        bar (bar_stats_batch: the floats the online estimator gives); bars must then arrive in stream order."""
        fm = self._fm()
        probe = fm.new_spread_state()
        if type(probe) is not BarStats:          # another estimator: stays online
            return
        for m, s in streams.items():
            c = s.candles
            if c is None or s.trades is not None or s.books is not None:
                continue
            rows = np.asarray(s.row, np.int64)
            close_ms = (np.asarray(c.ts_ms, np.int64)[rows] + int(c.interval_s) * 1000).tolist()
            spread, sigma = bar_stats_batch(np.asarray(c.high)[rows], np.asarray(c.low)[rows], probe.window_bars)
            st = self._state(m)
            st.bars, st.bar_i = (fm, close_ms, spread, sigma), -1

    def replay_quiet(self, tape, i0: int, stop_ts_ms: int, last_ts_ms: int) -> int:
        """Replay only: apply the events of `tape` (a ReplayTape) from i0 on while none can touch an order of
        ours, before `stop_ts_ms`, up to the first at or after `last_ts_ms`; returns the first index not
        applied (i0 when none was quiet)."""
        return replay_quiet(self, tape, i0, stop_ts_ms, last_ts_ms)

    # ---- orders ----------------------------------------------------------------------------------
    def create_order(self, market: str, side: str, ord_type: str, volume=None, price=None,
                     time_in_force: str | None = None, identifier: str | None = None,
                     ts_ms: int | None = None) -> SimOrder:
        """Validate, lock funds and queue the order for arrival after latency (POST /v1/orders)."""
        ts = self.now_ms if ts_ms is None else int(ts_ms)
        self.advance(ts)
        if identifier is not None:
            identifier = str(identifier)
            if identifier in self._used_idents:    # refused forever, even if the first request failed
                reject("duplicated_identifier", f"identifier {identifier!r} was already used")
            self._used_idents.add(identifier)
        req = parse_request(market, side, ord_type, volume, price, time_in_force, self.p.volume_decimals)
        st = self._state(market)
        fee = self.costs.fee_rate
        min_total = self.costs.min_order_krw if req.quote == "KRW" else MIN_TOTAL[req.quote]
        ref = self._ref_price(st, req.side)
        tick = self.tick_size(market, req.price) if req.ord_type == "limit" else 0.0
        check_price_and_total(req, tick, min_total, self.p.max_total_krw, ref)
        if self.p.reject_beyond_book and req.ord_type in ("price", "market") and st.bid_px is not None:
            opp_px, opp_sz = (st.ask_px, st.ask_sz) if req.side == "bid" else (st.bid_px, st.bid_sz)
            depth = K.depth_available(opp_px, opp_sz, np.zeros_like(opp_sz), req.side == "bid", 0.0, req.by_funds)
            want = req.price if req.by_funds else req.volume
            if want > depth:
                reject(TOO_LARGE_BID if req.side == "bid" else TOO_LARGE_ASK,
                       f"market order {fmt(want)} is larger than the visible book ({fmt(depth)})")
        if req.side == "bid":
            notional = req.price if req.by_funds else req.price * req.volume
            lock = notional * (1.0 + fee)
            self.acc.lock(req.quote, lock, "insufficient_funds_bid")
            reserved = notional * fee
        else:
            lock, reserved = req.volume, 0.0
            self.acc.lock(req.base, lock, "insufficient_funds_ask")
        self._seq += 1
        o = SimOrder(uuid4_of(self._rng.getrandbits(128)), market, req.side,
                     req.ord_type, req.price, req.volume, req.time_in_force, identifier, ts,
                     ts + self._fm().arrival_delay_ms(), fee, reserved_fee=reserved, locked=lock,
                     funds_left=req.price if req.by_funds else 0.0)
        self._orders[o.uuid] = o
        self._open[o.uuid] = o
        if identifier is not None:
            self._by_ident[identifier] = o
        heapq.heappush(self._pending, (o.arrival_ms, self._seq, _NEW, o))
        self.advance(ts)
        return o

    def cancel_order(self, uuid: str | None = None, identifier: str | None = None,
                     ts_ms: int | None = None) -> SimOrder:
        """DELETE /v1/order: the cancel reaches the book after the order latency (state may still be wait)."""
        ts = self.now_ms if ts_ms is None else int(ts_ms)
        self.advance(ts)
        o = self.get_order(uuid, identifier)
        if o.state == "wait":
            self._seq += 1
            heapq.heappush(self._pending, (ts + self._fm().cancel_delay_ms(), self._seq, _CANCEL, o))
            self.advance(ts)
        return o

    def cancel_and_new(self, prev_uuid: str | None = None, prev_identifier: str | None = None,
                       new_ord_type: str = "limit", new_volume=None, new_price=None,
                       new_identifier: str | None = None, new_time_in_force: str | None = None,
                       ts_ms: int | None = None) -> tuple[SimOrder, SimOrder]:
        """POST /v1/orders/cancel_and_new as cancel + new: the previous order's cancel and the new order both
        travel with the order latency; `new_volume="remain_only"` = the previous order's remaining volume.
        Same market and side as the previous order (§3.9). Returns (previous order, new order)."""
        ts = self.now_ms if ts_ms is None else int(ts_ms)
        self.advance(ts)
        prev = self.get_order(prev_uuid, prev_identifier)
        if prev.state != "wait":      # Upbit's error name for this case is not documented (UPBIT_API.md §3.9)
            reject("validation_error", f"previous order {prev.uuid} is {prev.state}, not open")
        volume = prev.remaining_volume if new_volume == "remain_only" else new_volume
        self.cancel_order(uuid=prev.uuid, ts_ms=ts)
        new = self.create_order(prev.market, prev.side, new_ord_type, volume=volume, price=new_price,
                                time_in_force=new_time_in_force, identifier=new_identifier, ts_ms=ts)
        return prev, new

    def get_order(self, uuid: str | None = None, identifier: str | None = None) -> SimOrder:
        if uuid is None and identifier is None:
            reject("validation_error", "uuid or identifier is required")
        o = self._orders.get(uuid) if uuid is not None else self._by_ident.get(str(identifier))
        if o is None:
            reject("order_not_found", f"주문을 찾지 못했습니다. uuid={uuid} identifier={identifier}")
        return o

    def open_orders(self, market: str | None = None) -> list[SimOrder]:
        return [o for o in self._open.values() if market is None or o.market == market]

    def closed_orders(self, market: str | None = None) -> list[SimOrder]:
        return [o for o in self._orders.values() if o.state != "wait" and (market is None or o.market == market)]

    # ---- accounts --------------------------------------------------------------------------------
    def drain_fills(self) -> list[Fill]:
        out, self._fills = self._fills, []
        return out

    def accounts(self) -> list[dict]:
        return self.acc.to_upbit()

    def balance(self, currency: str) -> tuple[float, float]:
        b = self.acc.get(currency)
        return b.balance, b.locked

    def mark_price(self, market: str) -> float:
        """Mid of the last book, else the last print/close (NaN if nothing seen yet)."""
        return self._state(market).last_px

    def chance(self, market: str) -> dict:
        """GET /v1/orders/chance shape."""
        quote, base = market.split("-", 1)
        f = fmt(self.costs.fee_rate)
        acc = {a["currency"]: a for a in self.acc.to_upbit()}
        empty = lambda c: {"currency": c, "balance": "0", "locked": "0", "avg_buy_price": "0",
                           "avg_buy_price_modified": False, "unit_currency": quote}
        mt = self.costs.min_order_krw if quote == "KRW" else MIN_TOTAL.get(quote, 0)
        return {"bid_fee": f, "ask_fee": f, "maker_bid_fee": f, "maker_ask_fee": f,
                "market": {"id": market, "name": f"{base}/{quote}", "order_sides": ["ask", "bid"],
                           "bid_types": ["best_fok", "best_ioc", "limit", "limit_fok", "limit_ioc", "price"],
                           "ask_types": ["best_fok", "best_ioc", "limit", "limit_fok", "limit_ioc", "market"],
                           "bid": {"currency": quote, "min_total": fmt(mt)},
                           "ask": {"currency": quote, "min_total": fmt(mt)},
                           "max_total": fmt(self.p.max_total_krw), "state": "active"},
                "bid_account": acc.get(quote, empty(quote)), "ask_account": acc.get(base, empty(base))}

    # ---- matching internals ----------------------------------------------------------------------
    def _ref_price(self, st: MarketState, side: str) -> float:
        if st.bid_px is not None and st.bid_px[0] > 0:
            return float(st.bid_px[0] if side == "ask" else st.ask_px[0])
        return st.last_px

    def _arrive(self, o: SimOrder) -> None:
        from components.exchange.arrival import arrive
        arrive(self, o)

    def _rest(self, o: SimOrder) -> None:
        self.book_version += 1
        st = self._state(o.market)
        o.resting = True
        if st.bid_px is None:
            o.queue_ahead, o.level_seen = K.INF_QUEUE, -1.0   # no book: only prints through our price fill us
        else:
            px, sz = (st.bid_px, st.bid_sz) if o.is_bid else (st.ask_px, st.ask_sz)
            disp = K.level_size(px, sz, o.price, o.is_bid)
            o.queue_ahead = K.INF_QUEUE if disp < 0 else disp
            o.level_seen = disp
        o.traded_at_level = 0.0
        st.resting.append(o)

    def _maker_fill(self, o: SimOrder, volume: float, ts: int) -> float:
        rem = o.remaining_volume
        v = rem if volume >= rem - 1e-12 else floor_volume(volume, self.p.volume_decimals)
        if v <= 0.0:
            return 0.0
        self._execute(o, o.price, v, ts, True)
        if o.remaining_volume <= 1e-12:
            self._close(o, "done")
        return v

    def _execute(self, o: SimOrder, px: float, v: float, ts: int, maker: bool,
                 parts: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> None:
        """Book one trade of an order: balances, order counters, the Fill (with the taker's cost `parts` per
        unit of volume: half spread, slippage + latency, tick rounding — price units)."""
        self.book_version += 1
        quote, base = o.market.split("-", 1)
        funds = px * v
        fee = funds * o.fee_rate
        if o.is_bid:
            release = funds * (1.0 + o.fee_rate) if o.by_funds else o.price * v * (1.0 + o.fee_rate)
            release = min(release, o.locked)
            o.locked -= release
            if o.by_funds:
                o.funds_left = max(o.funds_left - funds, 0.0)
            b = self.acc.get(quote)
            b.locked = max(b.locked - release, 0.0)
            b.balance += release - funds - fee          # price improvement / fee rounding back to available
            self.acc.add_bought(base, v, px)
        else:
            o.locked = max(o.locked - v, 0.0)
            self.acc.spend_locked(base, v)
            self.acc.credit(quote, funds - fee)
        o.executed_volume += v
        o.executed_funds += funds
        o.paid_fee += fee
        self.fees_paid_krw += fee
        o.trades.append({"market": o.market, "uuid": uuid4_of(self._rng.getrandbits(128)),
                         "price": fmt(px), "volume": fmt(v), "funds": fmt(funds),
                         "trend": "up" if o.is_bid else "down", "created_at": iso_kst(ts, micro=True),
                         "side": o.side})
        self._fills.append(Fill(o.market, o.uuid, o.side, px, v, fee, ts, maker,
                                parts[0] * v, parts[1] * v, parts[2] * v))

    def _close(self, o: SimOrder, state: str) -> None:
        """Final state: unlock what the order still holds, leave the book."""
        self.book_version += 1
        quote, base = o.market.split("-", 1)
        if o.locked > 0:
            self.acc.unlock(quote if o.is_bid else base, o.locked)
        o.locked = 0.0
        o.state = state
        self._open.pop(o.uuid, None)
        if o.resting:
            o.resting = False
            self._state(o.market).resting.remove(o)
