"""Roll (1984) spread from candle closes: 2·sqrt(−cov(ΔC_t, ΔC_{t−1})) over n pairs, as a fraction of C_t."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [spread, n, ring(cap n + 2) of closes]
RING = 2


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n = int(s[1])
    cap = n + 2
    ring_push(s, RING, cap, ev[5])
    if s[RING + 1] < cap:
        return 0
    ma, mb = 0.0, 0.0          # a = ΔC_t, b = ΔC_{t−1}, k-th newest pair
    for k in range(n):
        ma += ring_at(s, RING, cap, k) - ring_at(s, RING, cap, k + 1)
        mb += ring_at(s, RING, cap, k + 1) - ring_at(s, RING, cap, k + 2)
    ma /= n
    mb /= n
    c = 0.0
    for k in range(n):
        c += (ring_at(s, RING, cap, k) - ring_at(s, RING, cap, k + 1) - ma) * \
             (ring_at(s, RING, cap, k + 1) - ring_at(s, RING, cap, k + 2) - mb)
    c /= n - 1
    # Roll is undefined for a non-negative autocovariance; 0 (no measurable bounce) keeps the column usable
    s[0] = 2.0 * math.sqrt(-c) / ev[5] if c < 0 else 0.0
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


@register("feature", "roll_spread")
class RollSpread(KernelFeature):
    """Roll bid-ask bounce spread estimate (sample cov, ddof 1) / close; 0 where Roll is undefined."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(20, ge=3, description="n: (ΔC_t, ΔC_{t−1}) pairs")

    @property
    def warmup(self) -> int:
        return self.p.window_bars + 2

    def init_state(self):
        s = new_state(1, 1 + 2 + self.p.window_bars + 2)
        s[1] = self.p.window_bars
        return s
