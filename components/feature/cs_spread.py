"""Corwin & Schultz (2012) high-low spread from bars t−1, t (causal at t), averaged over n bars; fraction of price."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [spread, n, bars_seen, prev_h, prev_l, ring(cap n) of per-pair S]
RING = 5
K_CS = 3.0 - 2.0 * math.sqrt(2.0)


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n = int(s[1])
    h, l = ev[3], ev[4]
    if s[2] > 0:
        beta = math.log(s[3] / s[4]) ** 2 + math.log(h / l) ** 2
        gamma = math.log(max(s[3], h) / min(s[4], l)) ** 2
        alpha = (math.sqrt(2.0 * beta) - math.sqrt(beta)) / K_CS - math.sqrt(gamma / K_CS)
        sp = 2.0 * (math.exp(alpha) - 1.0) / (1.0 + math.exp(alpha))
        ring_push(s, RING, n, max(sp, 0.0))         # negative estimates set to 0 (CS 2012)
        if s[RING + 1] >= n:
            tot = 0.0
            for k in range(n):
                tot += ring_at(s, RING, n, k)
            s[0] = tot / n
    s[2] += 1.0
    s[3], s[4] = h, l
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


@register("feature", "cs_spread")
class CsSpread(KernelFeature):
    """Corwin–Schultz two-bar spread (negatives -> 0), mean of the last n estimates."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(20, ge=1, description="n: two-bar estimates averaged")

    @property
    def warmup(self) -> int:
        return self.p.window_bars + 1

    def init_state(self):
        s = new_state(1, 4 + 2 + self.p.window_bars)
        s[1] = self.p.window_bars
        return s
