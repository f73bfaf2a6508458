"""Order-flow imbalance (Cont, Kukanov & Stoikov 2014) summed over a time window and the top K levels (size units)."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import ALL_KINDS, FeatureParams, KernelFeature, new_state
from components.feature._kernels import BOOK_K, book_ok, tw_evict, tw_push, tw_size
from registry import register

# s: [ofi, levels, window_ms, cap, have_prev, prev(4·K: b, qb, a, qa per level), time window]
PREV = 5


@njit(cache=True)
def _step(s, ev):
    K = int(s[1])
    if ev[0] != BOOK_K:
        cap = int(s[3])
        if ev[0] >= 0.0 and math.isfinite(ev[1]) and not math.isnan(s[0]):
            tw_evict(s, PREV + 4 * K, cap, ev[1], s[2])   # time moved on: entries leave the window
            s[0] = s[PREV + 4 * K + 2]
        return 0
    if not book_ok(ev, K):
        return 1
    L = int(ev[2])
    tw = PREV + 4 * K
    if s[4] > 0:
        e = 0.0
        for k in range(K):
            b, qb, a, qa = ev[3 + k], ev[3 + L + k], ev[3 + 2 * L + k], ev[3 + 3 * L + k]
            pb, pqb, pa, pqa = s[PREV + 4 * k], s[PREV + 4 * k + 1], s[PREV + 4 * k + 2], s[PREV + 4 * k + 3]
            e += (qb if b >= pb else 0.0) - (pqb if b <= pb else 0.0) \
                - (qa if a <= pa else 0.0) + (pqa if a >= pa else 0.0)
        tw_evict(s, tw, int(s[3]), ev[1], s[2])
        tw_push(s, tw, int(s[3]), ev[1], e, 0.0)
        s[0] = s[tw + 2]
    for k in range(K):
        s[PREV + 4 * k] = ev[3 + k]
        s[PREV + 4 * k + 1] = ev[3 + L + k]
        s[PREV + 4 * k + 2] = ev[3 + 2 * L + k]
        s[PREV + 4 * k + 3] = ev[3 + 3 * L + k]
    s[4] = 1.0
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


@register("feature", "ofi")
class Ofi(KernelFeature):
    """CKS OFI: Σ e_n over snapshots in the last window_ms (multi-level: e_n summed over levels 1..K)."""
    needs = frozenset({"book"})
    listens = ALL_KINDS       # any later event moves the window end (eviction); only snapshots add to it
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        levels: int = Field(1, ge=1, le=30, description="K: levels summed (1 = the original best-level OFI)")
        window_ms: int = Field(10_000, ge=1, description="time window over which e_n is summed")
        max_snapshots: int = Field(10_000, ge=16, description="window capacity; beyond it the oldest are dropped")

    @property
    def warmup(self) -> int:
        return 2

    def init_state(self):
        K = self.p.levels
        s = new_state(1, 4 + 4 * K + tw_size(self.p.max_snapshots))
        s[1], s[2], s[3] = K, self.p.window_ms, self.p.max_snapshots
        return s
