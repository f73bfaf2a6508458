"""Cumulative delta: Σ s_i·v_i (taker-signed VOLUME, base units) over trades in the last window_ms."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import ALL_KINDS, FeatureParams, KernelFeature, new_state
from components.feature._kernels import TRADE_K, trade_ok, tw_evict, tw_push, tw_size
from registry import register

# s: [delta, window_ms, cap, time window]
TW = 3


@njit(cache=True)
def _step(s, ev):
    cap = int(s[2])
    if ev[0] != TRADE_K:
        if ev[0] >= 0.0 and math.isfinite(ev[1]) and not math.isnan(s[0]):
            tw_evict(s, TW, cap, ev[1], s[1])   # time moved on: entries leave the window
            s[0] = s[TW + 2]
        return 0
    if not trade_ok(ev):
        return 1
    tw_evict(s, TW, cap, ev[1], s[1])
    tw_push(s, TW, cap, ev[1], ev[4] * ev[3], 0.0)
    s[0] = s[TW + 2]
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


@register("feature", "cumdelta")
class Cumdelta(KernelFeature):
    """Taker-signed volume over trades in (t − window, t], t = the latest event of the market."""
    needs = frozenset({"trade"})
    listens = ALL_KINDS       # any later event moves the window end (eviction); only trades add to it
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        window_ms: int = Field(300_000, ge=1, description="window (default 5 min)")
        max_trades: int = Field(50_000, ge=16, description="window capacity; beyond it the oldest are dropped")

    @property
    def warmup(self) -> int:
        return 1

    def init_state(self):
        s = new_state(1, 2 + tw_size(self.p.max_trades))
        s[1], s[2] = self.p.window_ms, self.p.max_trades
        return s
