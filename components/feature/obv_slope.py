"""OBV slope: OLS slope of on-balance volume over the last n bars (volume units per bar)."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [slope, n, bars_seen, prev_close, obv, ring(cap n) of OBV]
RING = 5


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n = int(s[1])
    c = ev[5]
    if s[2] > 0:
        d = c - s[3]
        s[4] += ev[6] if d > 0 else (-ev[6] if d < 0 else 0.0)
    ring_push(s, RING, n, s[4])
    if s[RING + 1] >= n:
        # x = 0..n-1 oldest..newest; y shifted by the newest value (slope-invariant, keeps magnitudes small)
        y0 = ring_at(s, RING, n, 0)
        xm = (n - 1) / 2.0
        ym = 0.0
        for k in range(n):
            ym += ring_at(s, RING, n, k) - y0
        ym /= n
        sxy, sxx = 0.0, 0.0
        for k in range(n):
            x = n - 1 - k
            sxy += (x - xm) * (ring_at(s, RING, n, k) - y0 - ym)
            sxx += (x - xm) * (x - xm)
        s[0] = sxy / sxx
    s[2] += 1.0
    s[3] = c
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


@register("feature", "obv_slope")
class ObvSlope(KernelFeature):
    """OLS slope of OBV (OBV_t = OBV_{t-1} + sign(ΔC)·V, OBV_first = 0) over the last 20 bars."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(20, ge=2, description="n: bars in the regression")

    @property
    def warmup(self) -> int:
        return self.p.window_bars

    def init_state(self):
        s = new_state(1, 4 + 2 + self.p.window_bars)
        s[1] = self.p.window_bars
        return s
