"""Hurst exponent by the variance of lagged differences (FORMULAS (b)) over the last n log closes.

std(x_{t+τ} − x_t) ∝ τ^H for τ = 2..max_lag, H = OLS slope of log std on log τ (std with ddof 0).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit
from pydantic import Field, model_validator

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [hurst, n, max_lag, ring(cap n) of log closes]
RING = 3


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n, lmax = int(s[1]), int(s[2])
    ring_push(s, RING, n, math.log(ev[5]))
    if s[RING + 1] < n:
        return 0
    x = np.empty(n)             # the window oldest..newest, contiguous (the ring's modulo is costly here)
    for k in range(n):
        x[n - 1 - k] = ring_at(s, RING, n, k)
    sx, sy, sxx, sxy, m = 0.0, 0.0, 0.0, 0.0, 0
    for tau in range(2, lmax + 1):
        cnt = n - tau
        mu = 0.0
        for k in range(cnt):
            mu += x[k + tau] - x[k]
        mu /= cnt
        v = 0.0
        for k in range(cnt):
            d = x[k + tau] - x[k] - mu
            v += d * d
        if v <= 0.0:
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
        s = new_state(1, 2 + 2 + self.p.window_bars)
        s[1], s[2] = self.p.window_bars, self.p.max_lag
        return s
