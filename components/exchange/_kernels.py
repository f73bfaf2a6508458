"""Matching rules as numba kernels over plain numbers/arrays (prices KRW or quote units, volumes in coin).

The per-order rules (`level_size`, `trade_fill`, `book_update`, `walk_book`) are the ONE definition
used by the event-driven `SimExchange` (called per event from Python) and by the bulk kernel
`replay_match` (benchmarks, batch research). Each has a NumPy/Python reference test.
"""
from __future__ import annotations

import numpy as np
from numba import njit

UNKNOWN = -1.0          # price deeper than the visible book: displayed size unknown
INF_QUEUE = 1e300       # queue ahead unknown (joined beyond visible depth): only prints through fill us
# order states in the bulk kernel
PENDING, RESTING, DONE, CANCELLED = 0, 1, 2, 3


@njit(cache=True)
def _tol(price):
    return abs(price) * 1e-10 + 1e-12


@njit(cache=True)
def level_size(px, sz, price, is_bid):
    """Displayed size at `price` on one side (best first); 0 inside the visible range, UNKNOWN beyond it."""
    tol = _tol(price)
    n = px.shape[0]
    if not (px[n - 1] > 0.0):          # NaN/0 padding ends the side: find the real depth
        n = 0
        while n < px.shape[0] and px[n] > 0.0:
            n += 1
    if n == 0:
        return UNKNOWN
    deepest = px[n - 1]
    if is_bid and price < deepest - tol:
        return UNKNOWN
    if (not is_bid) and price > deepest + tol:
        return UNKNOWN
    # binary search: bids descend, asks ascend from level 0
    lo, hi = 0, n - 1
    while lo <= hi:
        mid = (lo + hi) >> 1
        p = px[mid]
        if abs(p - price) <= tol:
            return sz[mid]
        if (p > price) == is_bid:       # bid side: p above price -> look deeper; ask side: mirror
            lo = mid + 1
        else:
            hi = mid - 1
    return 0.0


@njit(cache=True)
def trade_fill(is_bid, price, remaining, queue, tr_px, tr_vol, tr_side):
    """One print against one resting order -> (fill volume, new queue ahead, print volume at our level).

    A print strictly through our price (either aggressor) fills the rest: that price level was
    exhausted. A print AT our price by the opposite aggressor (sells hit bids) first consumes the
    volume queued ahead of us; only what is left fills us.
    """
    tol = _tol(price)
    if is_bid:
        if tr_px < price - tol:
            return remaining, 0.0, 0.0
        if tr_px > price + tol or tr_side != -1:
            return 0.0, queue, 0.0
    else:
        if tr_px > price + tol:
            return remaining, 0.0, 0.0
        if tr_px < price - tol or tr_side != 1:
            return 0.0, queue, 0.0
    left = tr_vol - queue
    if left <= 0.0:
        return 0.0, queue - tr_vol, tr_vol
    return min(left, remaining), 0.0, tr_vol


@njit(cache=True)
def book_update(is_bid, price, remaining, queue, same_px, same_sz, opp_px, opp_sz,
                level_seen, traded, power):
    """A new snapshot against one resting order -> (fill volume, new queue, displayed size at our price).

    Opposite best at or through our price fills the rest (the level we stand on was taken). Else the
    queue is capped by the displayed size (risk-averse: cancels come from behind us). With
    `power > 0` (probabilistic), size that vanished without prints is split ahead/behind with
    P(ahead) = q^power / (q^power + back^power).
    """
    tol = _tol(price)
    best = opp_px[0]
    if best > 0.0 and ((is_bid and best <= price + tol) or ((not is_bid) and best >= price - tol)):
        return remaining, 0.0, 0.0
    disp = level_size(same_px, same_sz, price, is_bid)
    if disp < 0.0:
        return 0.0, queue, disp
    q = queue
    if power > 0.0 and level_seen >= 0.0 and q < INF_QUEUE:
        before = level_seen - traded             # level size after the prints we saw
        shrink = before - disp
        back = before - q
        if shrink > 0.0 and q > 0.0:
            if back <= 0.0:
                q -= shrink
            else:
                a = q ** power
                q -= shrink * a / (a + back ** power)
    if q > disp:
        q = disp
    if q < 0.0:
        q = 0.0
    return 0.0, q, disp


@njit(cache=True)
def walk_book(opp_px, opp_sz, used, is_bid, limit_px, want, by_funds, only_best, vol_decimals,
              out_px, out_vol):
    """Take liquidity from the opposite side (best first) -> number of fills written to out_px/out_vol.

    `want` is a volume, or KRW to spend when `by_funds` (volume per level floored to the precision).
    `limit_px <= 0` means no price limit. `used` (same shape as opp_sz) accumulates what we took from
    this snapshot so a second order cannot take the same displayed size again.
    """
    scale = 10.0 ** vol_decimals
    n = 0
    left = want
    for k in range(opp_px.shape[0]):
        p = opp_px[k]
        if not (p > 0.0) or left <= 0.0:
            break
        if limit_px > 0.0:
            tol = _tol(limit_px)
            if (is_bid and p > limit_px + tol) or ((not is_bid) and p < limit_px - tol):
                break
        avail = opp_sz[k] - used[k]
        if avail > 0.0:
            if by_funds:
                v = np.floor(min(avail, left / p) * scale + 1e-6) / scale
                if v <= 0.0:
                    break
                left -= v * p
            else:
                v = min(avail, left)
                left -= v
            used[k] += v
            out_px[n] = p
            out_vol[n] = v
            n += 1
        if only_best:
            break
    return n


@njit(cache=True)
def depth_available(opp_px, opp_sz, used, is_bid, limit_px, by_funds):
    """Volume (or KRW notional if `by_funds`) takeable up to `limit_px` (<= 0: whole visible side)."""
    total = 0.0
    for k in range(opp_px.shape[0]):
        p = opp_px[k]
        if not (p > 0.0):
            break
        if limit_px > 0.0:
            tol = _tol(limit_px)
            if (is_bid and p > limit_px + tol) or ((not is_bid) and p < limit_px - tol):
                break
        avail = max(opp_sz[k] - used[k], 0.0)
        total += avail * p if by_funds else avail
    return total
