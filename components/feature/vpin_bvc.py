"""VPIN for candle-only feeds by bulk volume classification: each bar is a bucket, V^B = V·Φ(ΔP/σ_ΔP).

σ_ΔP is the sample std (ddof 1) of the previous sigma_bars close-to-close changes (strictly past);
VPIN = Σ|V^B − V^S| / Σ V over the last n bars (time bars of unequal volume, hence Σ V, not N·V).
"""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, norm_cdf, ring_at, ring_mean_std, ring_push
from registry import register

# s: [vpin, n, sigma_bars, bars_seen, prev_close, ring dP (cap m), ring |VB−VS| (cap n), ring V (cap n)]
RDP = 5


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n, m = int(s[1]), int(s[2])
    rimb = RDP + 2 + m
    rvol = rimb + 2 + n
    c, v = ev[5], ev[6]
    if s[3] > 0:
        dp = c - s[4]
        if s[RDP + 1] >= m:
            _, sd = ring_mean_std(s, RDP, m, m, 1)
            z = dp / sd if sd > 0 else 0.0
            vb = v * norm_cdf(z)
            ring_push(s, rimb, n, abs(2.0 * vb - v))
            ring_push(s, rvol, n, v)
            if s[rimb + 1] >= n:
                a, b = 0.0, 0.0
                for k in range(n):
                    a += ring_at(s, rimb, n, k)
                    b += ring_at(s, rvol, n, k)
                s[0] = a / b if b > 0 else 0.0
        ring_push(s, RDP, m, dp)
    s[3] += 1.0
    s[4] = c
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


@register("feature", "vpin_bvc")
class VpinBvc(KernelFeature):
    """Bar-based VPIN with bulk volume classification (no trade signs needed); never a silent stand-in for vpin."""
    needs = frozenset({"candle"})
    provides = ("vpin",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(50, ge=1, description="n: bars (buckets) in the average")
        sigma_bars: int = Field(50, ge=2, description="past bars for σ of ΔP")

    @property
    def warmup(self) -> int:
        return self.p.sigma_bars + self.p.window_bars + 1

    def init_state(self):
        n, m = self.p.window_bars, self.p.sigma_bars
        s = new_state(1, 4 + (2 + m) + 2 * (2 + n))
        s[1], s[2] = n, m
        return s
