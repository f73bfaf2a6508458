"""Numba helpers shared by feature kernels: input validity, ring buffers, time windows, Wilder averages.

State-array conventions (all float64, offsets are ints):
- ring at `off` with capacity `cap`: s[off] = next write slot, s[off+1] = count, s[off+2:off+2+cap] = data.
- time window at `off` with capacity `cap`: s[off] = next slot, s[off+1] = count, s[off+2], s[off+3] =
  running sums of fields a and b, s[off+4] = overflow count, then cap rows of (ts, a, b).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

CANDLE_K, TRADE_K, BOOK_K = 0.0, 1.0, 2.0
TW_HEADER = 5


@njit(cache=True)
def candle_ok(ev):
    for j in range(2, 7):
        if not math.isfinite(ev[j]):
            return False
    return ev[4] > 0.0 and ev[3] >= ev[4] and ev[5] > 0.0 and ev[2] > 0.0 and ev[6] >= 0.0


@njit(cache=True)
def trade_ok(ev):
    return (math.isfinite(ev[2]) and ev[2] > 0.0 and math.isfinite(ev[3]) and ev[3] >= 0.0
            and (ev[4] == 1.0 or ev[4] == -1.0))


@njit(cache=True)
def book_ok(ev, levels):
    """Top `levels` of both sides finite, best prices positive and not crossed, best sizes not both 0."""
    L = int(ev[2]) if math.isfinite(ev[2]) else 0
    if L < 1 or levels > L:
        return False
    for k in range(levels):
        for base in (3, 3 + L, 3 + 2 * L, 3 + 3 * L):
            if not math.isfinite(ev[base + k]) or ev[base + k] < 0.0:
                return False
    b1, a1 = ev[3], ev[3 + 2 * L]
    return b1 > 0.0 and a1 >= b1 and (ev[3 + L] + ev[3 + 3 * L]) > 0.0


@njit(cache=True)
def ring_push(s, off, cap, x):
    h = int(s[off])
    s[off + 2 + h] = x
    s[off] = (h + 1) % cap
    if s[off + 1] < cap:
        s[off + 1] += 1.0


@njit(cache=True)
def ring_at(s, off, cap, k):
    """k-th newest value (k = 0 newest)."""
    h = int(s[off])
    return s[off + 2 + (h - 1 - k) % cap]


@njit(cache=True)
def ring_count(s, off):
    return int(s[off + 1])


@njit(cache=True)
def tw_evict(s, off, cap, now_ms, window_ms):
    """Drop entries with ts <= now - window (the window is (now - window, now])."""
    while s[off + 1] > 0:
        h, c = int(s[off]), int(s[off + 1])
        o = (h - c) % cap
        base = off + TW_HEADER + 3 * o
        if s[base] > now_ms - window_ms:
            break
        s[off + 2] -= s[base + 1]
        s[off + 3] -= s[base + 2]
        s[off + 1] = c - 1
    if s[off + 1] == 0:
        s[off + 2] = 0.0    # an empty window sums to exactly 0 (clears rounding residue)
        s[off + 3] = 0.0


@njit(cache=True)
def tw_push(s, off, cap, ts, a, b):
    """Append (ts, a, b); when full the oldest entry is dropped and counted in s[off+4]."""
    if s[off + 1] >= cap:
        h, c = int(s[off]), int(s[off + 1])
        o = (h - c) % cap
        base = off + TW_HEADER + 3 * o
        s[off + 2] -= s[base + 1]
        s[off + 3] -= s[base + 2]
        s[off + 1] = c - 1
        s[off + 4] += 1.0
    h = int(s[off])
    base = off + TW_HEADER + 3 * h
    s[base] = ts
    s[base + 1] = a
    s[base + 2] = b
    s[off + 2] += a
    s[off + 3] += b
    s[off] = (h + 1) % cap
    s[off + 1] += 1.0


def tw_size(cap: int) -> int:
    return TW_HEADER + 3 * cap


@njit(cache=True)
def wilder(s, i_count, i_avg, n, x):
    """Wilder average: mean of the first n values, then avg += (x - avg) / n. Returns True once ready."""
    k = s[i_count] + 1.0
    s[i_count] = k
    if k <= n:
        s[i_avg] += x
        if k == n:
            s[i_avg] /= n
            return True
        return False
    s[i_avg] = (s[i_avg] * (n - 1.0) + x) / n
    return True


@njit(cache=True)
def true_range(h, l, prev_c):
    return max(h - l, abs(h - prev_c), abs(l - prev_c))


@njit(cache=True)
def norm_cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


@njit(cache=True)
def ring_mean_std(s, off, cap, n, ddof):
    """Mean and std of the newest n ring values (two-pass, for accuracy)."""
    m = 0.0
    for k in range(n):
        m += ring_at(s, off, cap, k)
    m /= n
    v = 0.0
    for k in range(n):
        d = ring_at(s, off, cap, k) - m
        v += d * d
    return m, math.sqrt(v / (n - ddof)) if n - ddof > 0 else np.nan


@njit(cache=True)
def ring_cov_ratio(s, ra, rb, n):
    """cov(a, b) / var(b) over two rings of n values (two-pass means; 0 when var(b) = 0)."""
    ma, mb = 0.0, 0.0
    for k in range(n):
        ma += ring_at(s, ra, n, k)
        mb += ring_at(s, rb, n, k)
    ma /= n
    mb /= n
    cab, vb = 0.0, 0.0
    for k in range(n):
        db = ring_at(s, rb, n, k) - mb
        cab += (ring_at(s, ra, n, k) - ma) * db
        vb += db * db
    return cab / vb if vb > 0 else 0.0


@njit(cache=True)
def bar_step(b, ev, out):
    """Time bars from trades: b = [bar_open_ms, o, h, l, c, v, has_bar, bar_ms].

    Returns 1 when `ev` (a trade in a later bar) completes the current bar, which is then written into
    `out` as a candle row known at its close time; 0 otherwise; 2 for an invalid trade (skipped).
    Bars without trades are never emitted (like Upbit candles)."""
    if ev[0] != TRADE_K:
        return 0
    if not trade_ok(ev):
        return 2
    bar_ms = b[7]
    start = math.floor(ev[1] / bar_ms) * bar_ms
    p, v = ev[2], ev[3]
    emitted = 0
    if b[6] == 1.0 and start > b[0]:
        out[0] = CANDLE_K; out[1] = b[0] + bar_ms; out[2] = b[1]; out[3] = b[2]; out[4] = b[3]
        out[5] = b[4]; out[6] = b[5]; out[7] = b[0]
        emitted = 1
    if b[6] == 0.0 or start > b[0]:
        b[0] = start; b[1] = p; b[2] = p; b[3] = p; b[4] = p; b[5] = v; b[6] = 1.0
    else:
        b[2] = max(b[2], p); b[3] = min(b[3], p); b[4] = p; b[5] += v
    return emitted


@njit(cache=True)
def bar_rows(b, E):
    """Batch form of `bar_step`: row i becomes the bar completed by event i, or a no-op row (kind -1)."""
    n = E.shape[0]
    out = np.full((n, 8), np.nan)
    tmp = np.empty(8)
    nb, fb = 0, -1
    for i in range(n):
        rc = bar_step(b, E[i], tmp)
        if rc == 1:
            out[i, :] = tmp
        else:
            out[i, 0] = -1.0
            if rc == 2:
                nb += 1
                fb = i if fb < 0 else fb
    return out, nb, fb
