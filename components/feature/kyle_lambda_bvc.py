"""Kyle's lambda for candle-only feeds: cov(r, q)/var(q) over n bars, q = BVC-signed volume V·(2Φ(ΔP/σ) − 1).

r = log C_t/C_{t−1}; σ = sample std of the previous sigma_bars close changes (strictly past).
"""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, norm_cdf, ring_cov_ratio as _cov_ratio, ring_mean_std, ring_push
from registry import register

# s: [lambda, n, sigma_bars, bars_seen, prev_close, ring dP (cap m), ring r (cap n), ring q (cap n)]
RDP = 5


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n, m = int(s[1]), int(s[2])
    rr = RDP + 2 + m
    rq = rr + 2 + n
    c, v = ev[5], ev[6]
    if s[3] > 0:
        dp = c - s[4]
        if s[RDP + 1] >= m:
            _, sd = ring_mean_std(s, RDP, m, m, 1)
            z = dp / sd if sd > 0 else 0.0
            ring_push(s, rr, n, math.log(c / s[4]))
            ring_push(s, rq, n, v * (2.0 * norm_cdf(z) - 1.0))
            if s[rr + 1] >= n:
                s[0] = _cov_ratio(s, rr, rq, n)
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


@register("feature", "kyle_lambda_bvc")
class KyleLambdaBvc(KernelFeature):
    """Bar-level price impact per unit of BVC-signed volume (candles only; trade signs inferred, never observed)."""
    needs = frozenset({"candle"})
    provides = ("kyle_lambda",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(60, ge=3, description="n: bars in the regression")
        sigma_bars: int = Field(50, ge=2, description="past bars for σ of ΔP")

    @property
    def warmup(self) -> int:
        return self.p.sigma_bars + self.p.window_bars + 1

    def init_state(self):
        n, m = self.p.window_bars, self.p.sigma_bars
        s = new_state(1, 4 + (2 + m) + 2 * (2 + n))
        s[1], s[2] = n, m
        return s
