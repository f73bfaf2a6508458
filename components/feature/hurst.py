"""Hurst exponent by the variance of lagged differences (FORMULAS (b)) over the last n log closes.

std(x_{t+τ} − x_t) ∝ τ^H for τ = 2..max_lag, H = OLS slope of log std on log τ (std with ddof 0).
"""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field, model_validator

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [hurst, n, max_lag, ring(cap n) of log closes, S1[0..max_lag], S2[0..max_lag], NZ[0..max_lag], steps]
# For each lag τ the window's differences d = x[k+τ] − x[k] are kept as running sums (S1 = Σd, S2 = Σd², NZ =
# how many d ≠ 0): a new close adds one difference per lag and drops the oldest, O(max_lag) per bar instead of
# O(n·max_lag). Every n closes the sums are rebuilt from the window, so rounding cannot build up.
RING = 3


@njit(cache=True)
def _sums_at(n, lmax):
    return RING + 2 + n


@njit(cache=True)
def _rebuild(s, n, lmax):
    a = _sums_at(n, lmax)
    c = int(s[RING + 1])
    for tau in range(2, lmax + 1):
        s1, s2, nz = 0.0, 0.0, 0.0
        for k in range(c - tau):          # pairs (k-th newest + tau, k-th newest): every pair in the ring
            d = ring_at(s, RING, n, k) - ring_at(s, RING, n, k + tau)
            s1 += d
            s2 += d * d
            nz += d != 0.0
        s[a + tau], s[a + lmax + 1 + tau], s[a + 2 * (lmax + 1) + tau] = s1, s2, nz
    s[a + 3 * (lmax + 1)] = 0.0


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n, lmax = int(s[1]), int(s[2])
    a = _sums_at(n, lmax)
    b, z = a + lmax + 1, a + 2 * (lmax + 1)
    if s[RING + 1] >= n:                  # full: the oldest close leaves, with one difference per lag
        old = ring_at(s, RING, n, n - 1)
        for tau in range(2, lmax + 1):
            d = ring_at(s, RING, n, n - 1 - tau) - old
            s[a + tau] -= d
            s[b + tau] -= d * d
            s[z + tau] -= d != 0.0
    ring_push(s, RING, n, math.log(ev[5]))
    c = int(s[RING + 1])
    new = ring_at(s, RING, n, 0)
    for tau in range(2, min(lmax, c - 1) + 1):
        d = new - ring_at(s, RING, n, tau)
        s[a + tau] += d
        s[b + tau] += d * d
        s[z + tau] += d != 0.0
    steps = a + 3 * (lmax + 1)
    s[steps] += 1.0
    if s[steps] >= n:
        _rebuild(s, n, lmax)
    if c < n:
        return 0
    sx, sy, sxx, sxy, m = 0.0, 0.0, 0.0, 0.0, 0
    for tau in range(2, lmax + 1):
        cnt = n - tau
        v = s[b + tau] - s[a + tau] * s[a + tau] / cnt
        if s[z + tau] < 0.5 or v <= 0.0:
            continue             # no movement at this lag: no information
        lx, ly = math.log(tau), 0.5 * math.log(v / cnt)
        sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly; m += 1
    if m >= 2:
        s[0] = (m * sxy - sx * sy) / (m * sxx - sx * sx)
    else:
        s[0] = 0.5               # flat prices: report the random-walk value (the cautious side)
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


@register("feature", "hurst")
class Hurst(KernelFeature):
    """Hurst exponent of candle closes by lagged-difference scaling (not R/S); 0.5 ≈ random walk."""
    needs = frozenset({"candle"})
    provides = ("hurst",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(100, ge=8, description="n: closes in the estimate")
        max_lag: int = Field(20, ge=3, description="largest lag τ (lags 2..max_lag)")

        @model_validator(mode="after")
        def _lags(self):
            if self.max_lag > self.window_bars // 2:
                raise ValueError("max_lag must be at most window_bars / 2")
            return self

    @property
    def warmup(self) -> int:
        return self.p.window_bars

    def init_state(self):
        s = new_state(1, 2 + 2 + self.p.window_bars + 3 * (self.p.max_lag + 1) + 1)
        s[1], s[2] = self.p.window_bars, self.p.max_lag
        return s
