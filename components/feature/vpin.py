"""VPIN (Easley, López de Prado & O'Hara 2012) from taker-signed trades: Σ|V^B − V^S| / (N·V) over N volume buckets."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import FeatureParams, KernelFeature, new_state
from components.feature._kernels import TRADE_K, ring_at, ring_push, trade_ok
from registry import register

# s: [vpin, bucket_volume, n_buckets, cum_volume, buy_volume_in_open_bucket, ring(cap N) of |VB − VS|]
RING = 5


@njit(cache=True)
def _step(s, ev):
    if ev[0] != TRADE_K:
        return 0
    if not trade_ok(ev):
        return 1
    V, N = s[1], int(s[2])
    buy = ev[4] > 0
    # bucket j covers cumulative volume [jV, (j+1)V); a trade is split at bucket edges. Working from the
    # cumulative volume (not repeated subtraction) keeps edges exact and makes a huge print O(N), not O(v/V).
    c0 = s[3]
    c1 = c0 + ev[3]
    j0, j1 = math.floor(c0 / V), math.floor(c1 / V)
    s[3] = c1
    if j1 == j0:
        if buy:
            s[4] += ev[3]
        return 0
    first = s[4] + (((j0 + 1) * V - c0) if buy else 0.0)
    ring_push(s, RING, N, abs(2.0 * first - V))
    for _ in range(min(int(j1 - j0 - 1), N)):
        ring_push(s, RING, N, V)          # whole buckets inside one print are one-sided
    s[4] = (c1 - j1 * V) if buy else 0.0
    if s[RING + 1] >= N:
        tot = 0.0
        for k in range(N):
            tot += ring_at(s, RING, N, k)
        s[0] = tot / (N * V)
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


@register("feature", "vpin")
class Vpin(KernelFeature):
    """VPIN over the last N equal-volume buckets using trade signs (updates when a bucket completes)."""
    needs = frozenset({"trade"})
    provides = ("vpin",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        bucket_volume: float = Field(1.0, gt=0, description="V: base-currency volume per bucket (tune per market)")
        n_buckets: int = Field(50, ge=1, description="N: buckets in the average")

    @property
    def warmup(self) -> int:
        return self.p.n_buckets     # lower bound: at least one trade per bucket

    def init_state(self):
        N = self.p.n_buckets
        s = new_state(1, 4 + 2 + N)
        s[1], s[2] = self.p.bucket_volume, N
        return s
