"""Inferred cancel rate: size removed at unchanged price levels between snapshots, net of trades, / displayed size.

Upbit (and our Binance set) send full snapshots, so cancels are INFERRED, never observed: for every
price level present in two successive snapshots (same side), cancelled = max(0, size_before −
size_after − volume traded at that price in between); rate = Σ cancelled / Σ displayed size of the
earlier snapshots over the window. Levels that appear or vanish are not attributed.
"""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import ALL_KINDS, FeatureParams, KernelFeature, new_state
from components.feature._kernels import BOOK_K, TRADE_K, book_ok, trade_ok, tw_evict, tw_push, tw_size
from registry import register

# s: [rate, levels, window_ms, tw_cap, buf_cap, have_prev, n_buf, overflow, skipped,
#     prev (4·K: bid_px, bid_sz, ask_px, ask_sz blocks of K), trade buffer (buf_cap × (price, vol, side)), time window]
HDR = 9


@njit(cache=True)
def _traded(s, buf, n_buf, price, side):
    """Volume traded at `price` against `side` (+1 bids hit by taker ASK, −1 asks lifted by taker BID)."""
    v = 0.0
    for j in range(n_buf):
        if s[buf + 3 * j] == price and s[buf + 3 * j + 2] == -side:
            v += s[buf + 3 * j + 1]
    return v


@njit(cache=True)
def _step(s, ev):
    K, bcap = int(s[1]), int(s[4])
    prev = HDR
    buf = prev + 4 * K
    tw = buf + 3 * bcap
    if ev[0] == TRADE_K:
        if not trade_ok(ev):
            return 1
        nb = int(s[6])
        if nb >= bcap:
            s[7] = 1.0                   # too many trades between snapshots: this interval is skipped
        else:
            s[buf + 3 * nb], s[buf + 3 * nb + 1], s[buf + 3 * nb + 2] = ev[2], ev[3], ev[4]
            s[6] = nb + 1
    if ev[0] != BOOK_K:
        cap = int(s[3])
        if ev[0] >= 0.0 and math.isfinite(ev[1]) and not math.isnan(s[0]):
            tw_evict(s, tw, cap, ev[1], s[2])   # time moved on: entries leave the window
            s[0] = s[tw + 2] / s[tw + 3] if s[tw + 3] > 0 else 0.0
        return 0
    if not book_ok(ev, K):
        return 1
    L = int(ev[2])
    if s[5] > 0 and s[7] == 0.0:
        cancelled, shown = 0.0, 0.0
        for side in (1, -1):
            po = prev if side == 1 else prev + 2 * K      # previous px block, sz block follows at +K
            co = 3 if side == 1 else 3 + 2 * L            # current px block, sz block at +L
            for k in range(K):
                px, sz = s[po + k], s[po + K + k]
                shown += sz
                for m in range(K):
                    if ev[co + m] == px:
                        lost = sz - ev[co + L + m] - _traded(s, buf, int(s[6]), px, side)
                        if lost > 0:
                            cancelled += lost
                        break
        cap = int(s[3])
        tw_evict(s, tw, cap, ev[1], s[2])
        tw_push(s, tw, cap, ev[1], cancelled, shown)
        s[0] = s[tw + 2] / s[tw + 3] if s[tw + 3] > 0 else 0.0
    elif s[5] > 0:
        s[8] += 1.0
    for k in range(K):
        s[prev + k] = ev[3 + k]
        s[prev + K + k] = ev[3 + L + k]
        s[prev + 2 * K + k] = ev[3 + 2 * L + k]
        s[prev + 3 * K + k] = ev[3 + 3 * L + k]
    s[5] = 1.0
    s[6] = 0.0
    s[7] = 0.0
    return 0


@njit(cache=True)
def _batch(s, E, out, ok):
    nb, fb = 0, -1
    for i in range(E.shape[0]):
        bad = _step(s, E[i])
        ok[i] = not bad
        if bad:
            nb += 1
            fb = i if fb < 0 else fb
        for j in range(out.shape[1]):
            out[i, j] = s[j]
    return nb, fb


@register("feature", "cancel_rate")
class CancelRate(KernelFeature):
    """Inferred (not observed) cancelled / displayed size over the top levels in the last window_ms."""
    needs = frozenset({"book", "trade"})
    listens = ALL_KINDS       # any later event moves the window end (eviction); only snapshots add to it
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        levels: int = Field(10, ge=1, le=30, description="K: levels per side compared")
        window_ms: int = Field(60_000, ge=1, description="window (default 1 min)")
        max_snapshots: int = Field(10_000, ge=16, description="window capacity; beyond it the oldest are dropped")
        max_trades_between: int = Field(512, ge=1, description="trades buffered between two snapshots; an "
                                                               "interval with more is skipped (counted)")

    @property
    def warmup(self) -> int:
        return 2

    def init_state(self):
        K, bcap = self.p.levels, self.p.max_trades_between
        s = new_state(1, HDR - 1 + 4 * K + 3 * bcap + tw_size(self.p.max_snapshots))
        s[1], s[2], s[3], s[4] = K, self.p.window_ms, self.p.max_snapshots, bcap
        return s
