"""Bulk numba replay + matching over columnar, time-merged events (the benchmark / research hot path).

Same per-order rules as `SimExchange` (components/exchange/_kernels.py); passive (post-only) resting
orders only, which is what a replay without decisions or a quoting strategy needs.
Event arrays: kind (1 trade / 2 book, components.types.events), market index, row into that kind's
concatenated arrays, ts_ms. Book matrices are (rows, levels), level 0 = best.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from components.exchange._kernels import (CANCELLED, DONE, INF_QUEUE, PENDING, RESTING, book_update,
                                         level_size, trade_fill)

TRADE_K, BOOK_K = 1, 2


@njit(cache=True)
def _join(side, price, bpx, bsz, apx, asz, r):
    """Queue ahead for a passive order joining at `price` given book row r (-1: no book yet)."""
    if r < 0:
        return INF_QUEUE, -1.0, False
    if side > 0:
        if apx[r, 0] > 0.0 and apx[r, 0] <= price:
            return 0.0, 0.0, True                  # post-only would cross: cancelled
        d = level_size(bpx[r], bsz[r], price, True)
    else:
        if bpx[r, 0] > 0.0 and bpx[r, 0] >= price:
            return 0.0, 0.0, True
        d = level_size(apx[r], asz[r], price, False)
    return (INF_QUEUE if d < 0.0 else d), d, False


@njit(cache=True)
def replay_match(ev_kind, ev_mkt, ev_row, ev_ts, tr_px, tr_vol, tr_side, bpx, bsz, apx, asz,
                 o_mkt, o_side, o_px, o_rem, o_arrival, o_state, power, f_order, f_px, f_vol, f_ts):
    """Replay every event, keep the last book per market, match resting post-only orders.

    Orders must be sorted by arrival. Returns the number of fills written to f_*.
    """
    n_m = 1
    for i in range(ev_mkt.shape[0]):
        if ev_mkt[i] + 1 > n_m:
            n_m = ev_mkt[i] + 1
    last = np.full(n_m, -1, np.int64)
    no = o_mkt.shape[0]
    queue = np.zeros(no)
    seen = np.full(no, -1.0)
    traded = np.zeros(no)
    act = np.empty((n_m, max(no, 1)), np.int64)     # resting order indices per market (swap-remove)
    cnt = np.zeros(n_m, np.int64)
    nxt = 0
    nf = 0
    for i in range(ev_kind.shape[0]):
        ts = ev_ts[i]
        while nxt < no and o_arrival[nxt] <= ts:
            if o_state[nxt] == PENDING:
                om = o_mkt[nxt]
                q, d, cross = _join(o_side[nxt], o_px[nxt], bpx, bsz, apx, asz, last[om])
                if cross:
                    o_state[nxt] = CANCELLED
                else:
                    o_state[nxt] = RESTING
                    queue[nxt], seen[nxt] = q, d
                    act[om, cnt[om]] = nxt
                    cnt[om] += 1
            nxt += 1
        m = ev_mkt[i]
        r = ev_row[i]
        is_book = ev_kind[i] == BOOK_K
        if is_book:
            last[m] = r
        if cnt[m] == 0:
            continue
        # row views made once per event, not per order (view creation costs more than the rule itself)
        rbp, rbs, rap, ras = bpx[r], bsz[r], apx[r], asz[r]
        a = 0
        while a < cnt[m]:
            j = act[m, a]
            bid = o_side[j] > 0
            if not is_book:
                fill, queue[j], at = trade_fill(bid, o_px[j], o_rem[j], queue[j], tr_px[r], tr_vol[r], tr_side[r])
                traded[j] += at
            else:
                if bid:
                    fill, queue[j], d = book_update(True, o_px[j], o_rem[j], queue[j], rbp, rbs,
                                                    rap, ras, seen[j], traded[j], power)
                else:
                    fill, queue[j], d = book_update(False, o_px[j], o_rem[j], queue[j], rap, ras,
                                                    rbp, rbs, seen[j], traded[j], power)
                seen[j], traded[j] = d, 0.0
            a += 1
            if fill > 0.0:
                if nf < f_order.shape[0]:
                    f_order[nf], f_px[nf], f_vol[nf], f_ts[nf] = j, o_px[j], fill, ts
                nf += 1
                o_rem[j] -= fill
                if o_rem[j] <= 1e-12:
                    o_rem[j] = 0.0
                    o_state[j] = DONE
                    cnt[m] -= 1
                    act[m, a - 1] = act[m, cnt[m]]      # swap-remove; re-visit the moved order
                    a -= 1
    return nf


@njit(cache=True)
def quote_one(ev_kind, ev_mkt, ev_row, ev_ts, tr_px, tr_vol, tr_side, bpx, bsz, apx, asz,
              qty, timer_ms, latency_ms, power, stats):
    """The peers' workload: every `timer_ms` of data time place/replace ONE post-only order on market 0,
    BUY at best bid while position <= 0 else SELL at best ask; same side + new price = replace (cancel +
    new, the new one queues afresh), side change = cancel + new. Cancels and new orders reach the book
    after `latency_ms` (< timer_ms); until its cancel lands the old order can still fill, exactly as
    through `SimExchange.cancel_order` / `create_order`.
    stats: 0 new, 1 replace, 2 cancel, 3 fill events, 4 orders filled, 5 timers, 6 position,
    7 post-only cancels at arrival."""
    c_on = False            # the order at the exchange is resting
    c_side, c_px, c_rem, c_q, c_seen, c_tr = 0, 0.0, 0.0, 0.0, -1.0, 0.0
    l_live, l_side, l_px = False, 0, 0.0     # the latest order as the strategy sees it (state wait)
    p_has, p_side, p_px, p_arr, p_cancel = False, 0, 0.0, 0, False
    last = -1
    next_t = -1
    pos = 0.0
    for i in range(ev_kind.shape[0]):
        ts = ev_ts[i]
        if next_t < 0:
            next_t = ts + timer_ms
        while ts >= next_t:                     # timers due before this event see the book as it was
            stats[5] += 1
            if last >= 0:
                want = 1 if pos <= 1e-12 else -1
                px = bpx[last, 0] if want > 0 else apx[last, 0]
                if not (l_live and l_side == want and l_px == px):
                    if l_live:
                        p_cancel = True
                        if l_side == want:
                            stats[1] += 1
                        else:
                            stats[2] += 1
                    if not (l_live and l_side == want):
                        stats[0] += 1
                    p_has, p_side, p_px, p_arr = True, want, px, next_t + latency_ms
                    l_live, l_side, l_px = True, want, px
            next_t += timer_ms
        if p_has and p_arr <= ts:
            if p_cancel:
                c_on = False                    # the cancel lands first (sent first)
            q, d, cross = _join(p_side, p_px, bpx, bsz, apx, asz, last)
            if cross:
                l_live = False
                stats[7] += 1
            else:
                c_on, c_side, c_px, c_rem, c_q, c_seen, c_tr = True, p_side, p_px, qty, q, d, 0.0
            p_has, p_cancel = False, False
        m = ev_mkt[i]
        r = ev_row[i]
        if m != 0:
            continue                            # other markets are replayed, not traded
        if ev_kind[i] == BOOK_K:
            last = r
        if not c_on:
            continue
        if ev_kind[i] == TRADE_K:
            fill, c_q, at = trade_fill(c_side > 0, c_px, c_rem, c_q, tr_px[r], tr_vol[r], tr_side[r])
            c_tr += at
        else:
            if c_side > 0:
                fill, c_q, d = book_update(True, c_px, c_rem, c_q, bpx[r], bsz[r], apx[r], asz[r], c_seen, c_tr, power)
            else:
                fill, c_q, d = book_update(False, c_px, c_rem, c_q, apx[r], asz[r], bpx[r], bsz[r], c_seen, c_tr, power)
            c_seen, c_tr = d, 0.0
        if fill > 0.0:
            stats[3] += 1
            c_rem -= fill
            pos += fill * c_side
            if c_rem <= 1e-12:
                stats[4] += 1
                c_on = False
                if not p_has:
                    l_live = False              # the filled order was the latest one
    stats[6] = pos
    return stats
