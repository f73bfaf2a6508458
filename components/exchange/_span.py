"""SimExchange over a quiet run of replayed events: one kernel call instead of one Python call per event.

A run is quiet while no event can change an order of ours: no resting order would fill, no order or cancel
is due to arrive, no candle (bars go through the fill model). Its events only move the books, the last
prices and the resting orders' queue state, which the kernel applies with the same per-order rules
(`trade_fill`, `book_update`) the event-by-event path calls; the first event that is not quiet is left to
`SimExchange.on_event`."""
from __future__ import annotations

import numpy as np
from numba import njit

from components.exchange import _kernels as K
from components.types.events import BOOK, TRADE
from components.types.feed.tape import F_ASK0, F_BID0, F_PX, F_SIDE, F_VOL, I_BROW, I_KIND, I_MKT, I_TS

# columns of the resting-order matrix handed to the kernel
_MKT, _BID, _PX, _REM, _QUEUE, _SEEN, _TRADED = range(7)
# columns of the per-market result: last book row, last book with a usable spread (event index, its bid and
# ask), last price, seen (the kernel resets them on entry)
_LAST_BOOK, _COST_BOOK, _LAST_PX, _SEEN_ANY, _COST_BID, _COST_ASK = range(6)
_NO_BOOKS = (np.full((1, 1), np.nan),) * 4


@njit(cache=True)
def quiet_span(ints, flts, bid_px, bid_sz, ask_px, ask_sz, q, i0, stop_ts, last_ts, orders, power, mstate):
    """Advance from event i0 while quiet and ts < stop_ts -> index of the first event not applied; the first
    event at or after `last_ts` is the last one applied. Tape columns as in components/types/feed/tape.py;
    the four book matrices are market q's, the one market with resting orders that the kernel follows (a
    print or snapshot of another market with resting orders ends the run: `on_event` takes it).

    `orders` rows: market index, is_bid, price, remaining volume, queue ahead, level seen, traded at level
    (updated in place). `mstate` rows per market: last book row, last book row with 0 < bid < ask, last
    price (print, or mid of a two-sided book), seen flag, that book's bid and ask (reset on entry)."""
    n = ints.shape[0]
    k = orders.shape[0]
    for j in range(mstate.shape[0]):
        mstate[j, _LAST_BOOK] = -1.0
        mstate[j, _COST_BOOK] = -1.0
        mstate[j, _LAST_PX] = np.nan
        mstate[j, _SEEN_ANY] = 0.0
    tmp = np.empty((k, 2))
    other = np.zeros(mstate.shape[0], np.bool_)      # markets with resting orders the kernel cannot follow
    for o in range(k):
        j = int(orders[o, _MKT])
        if j >= 0 and j != q:
            other[j] = True
    i = i0
    while i < n:
        t = ints[i, I_TS]
        if t >= stop_ts:
            break
        kd = ints[i, I_KIND]
        m = ints[i, I_MKT]
        if other[m]:
            break
        if kd == TRADE:
            hit = False
            for o in range(k):
                if orders[o, _MKT] == m:
                    f, qa, at = K.trade_fill(orders[o, _BID] > 0.0, orders[o, _PX], orders[o, _REM],
                                             orders[o, _QUEUE], flts[i, F_PX], flts[i, F_VOL], flts[i, F_SIDE])
                    if f > 0.0:
                        hit = True
                        break
                    tmp[o, 0], tmp[o, 1] = qa, at
            if hit:
                break
            for o in range(k):
                if orders[o, _MKT] == m:
                    orders[o, _QUEUE] = tmp[o, 0]
                    orders[o, _TRADED] += tmp[o, 1]
            mstate[m, _LAST_PX] = flts[i, F_PX]
        elif kd == BOOK:
            g = ints[i, I_BROW]
            hit = False
            for o in range(k):
                if orders[o, _MKT] == m:
                    if orders[o, _BID] > 0.0:
                        f, qa, disp = K.book_update(True, orders[o, _PX], orders[o, _REM], orders[o, _QUEUE],
                                                    bid_px[g], bid_sz[g], ask_px[g], ask_sz[g],
                                                    orders[o, _SEEN], orders[o, _TRADED], power)
                    else:
                        f, qa, disp = K.book_update(False, orders[o, _PX], orders[o, _REM], orders[o, _QUEUE],
                                                    ask_px[g], ask_sz[g], bid_px[g], bid_sz[g],
                                                    orders[o, _SEEN], orders[o, _TRADED], power)
                    if f > 0.0:
                        hit = True
                        break
                    tmp[o, 0], tmp[o, 1] = qa, disp
            if hit:
                break
            for o in range(k):
                if orders[o, _MKT] == m:
                    orders[o, _QUEUE] = tmp[o, 0]
                    orders[o, _SEEN] = tmp[o, 1]
                    orders[o, _TRADED] = 0.0
            b = flts[i, F_BID0]
            a = flts[i, F_ASK0]
            mstate[m, _LAST_BOOK] = g
            if b > 0.0 and a > 0.0:
                mstate[m, _LAST_PX] = 0.5 * (b + a)
            if b > 0.0 and a > b:
                mstate[m, _COST_BOOK] = i
                mstate[m, _COST_BID] = b
                mstate[m, _COST_ASK] = a
        else:                      # candles: the fill model decides, event by event
            break
        mstate[m, _SEEN_ANY] = 1.0
        i += 1
        if t >= last_ts:
            break
    return i


class _Buffers:
    """Arrays a replay's spans reuse (one allocation per tape, not per span): per-market results, order rows."""

    __slots__ = ("tape", "mstate", "orders", "states", "resting", "version")

    def __init__(self, tape) -> None:
        self.tape = tape
        self.mstate = np.empty((len(tape.markets), 6))
        self.orders = np.empty((4, 7))
        self.states: list = [None] * len(tape.markets)   # the exchange's MarketState of each tape market
        self.resting: list = []                          # the orders in `orders` as of `version`
        self.version = -1                                # the exchange's book_version they were read at


def replay_quiet(ex, tape, i0: int, stop_ts: int, last_ts: int) -> int:
    """Apply tape events i0.. to `ex` while quiet and before `stop_ts`, up to the first at or after `last_ts`;
    returns the first index not applied."""
    if ex._fills:                                   # fills not yet collected by the engine: not quiet
        return i0
    pend = ex._pending
    if pend and pend[0][0] < stop_ts:             # an order or cancel of ours arrives: that event is not quiet
        stop_ts = pend[0][0]
    ts = tape.ts_ms
    if i0 >= ts.shape[0] or ts[i0] >= stop_ts:
        return i0
    buf = ex._span
    if buf is None or buf.tape is not tape:
        buf = ex._span = _Buffers(tape)
    if buf.version == ex.book_version:          # no order moved since the last run: its rows are still exact
        resting = buf.resting
        k = len(resting)
        orders = buf.orders[:k]
    else:
        resting = [o for st in ex._mkt.values() if st.resting for o in st.resting]
        k = len(resting)
        if k > buf.orders.shape[0]:
            buf.orders = np.empty((2 * k, 7))
        orders = buf.orders[:k]
        index = tape.index
        for r, o in enumerate(resting):
            orders[r] = (index.get(o.market, -1), 1.0 if o.side == "bid" else 0.0, o.price, o.remaining_volume,
                         o.queue_ahead, o.level_seen, o.traded_at_level)
        buf.resting, buf.version = resting, ex.book_version
    q = int(orders[0, _MKT]) if k else -1
    mstate = buf.mstate
    fm = ex.fill_model if ex.fill_model is not None else ex._fm()
    bid_px, bid_sz, ask_px, ask_sz = tape.book_arrays(q) if q >= 0 else _NO_BOOKS
    i1 = quiet_span(tape.ints, tape.flts, bid_px, bid_sz, ask_px, ask_sz, q, i0, stop_ts, last_ts, orders,
                    float(fm.queue_power), mstate)
    if i1 == i0:
        return i0
    if k:
        for o, row in zip(resting, orders.tolist()):
            o.queue_ahead, o.level_seen, o.traded_at_level = row[_QUEUE:]
    states = buf.states
    for j, (g, c, px, seen, b, a) in enumerate(mstate.tolist()):
        if not seen:
            continue
        st = states[j]
        if st is None:
            st = states[j] = ex._state(tape.markets[j])
        st.tick_data = True
        if g >= 0:                    # the last snapshot, as the row views the events carry
            bk, r = tape.books[j], int(g)
            st.bid_px, st.bid_sz, st.ask_px, st.ask_sz = bk.bid_px[r], bk.bid_sz[r], bk.ask_px[r], bk.ask_sz[r]
            st.used_bid = st.used_ask = None
        if px == px:
            st.last_px = px
        if c >= 0:
            ex.costs.observe_book(tape.markets[j], b, a)
    last = int(ts[i1 - 1])
    if last > ex.now_ms:
        ex.now_ms = last
    return i1
