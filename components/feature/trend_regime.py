"""Trend regime: SMA_fast vs SMA_slow of closes -> state (+1 above / 0 near / −1 below) and gap (fraction)."""
from __future__ import annotations

from numba import njit
from pydantic import Field, model_validator

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [state, gap, n_fast, n_slow, near_frac, ring(cap n_slow) of closes]
RING = 5


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    nf, ns = int(s[2]), int(s[3])
    ring_push(s, RING, ns, ev[5])
    if s[RING + 1] >= ns:
        f, sl = 0.0, 0.0
        for k in range(ns):
            x = ring_at(s, RING, ns, k)
            sl += x
            if k < nf:
                f += x
        gap = (f / nf) / (sl / ns) - 1.0
        s[1] = gap
        s[0] = 1.0 if gap > s[4] else (-1.0 if gap < -s[4] else 0.0)
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


@register("feature", "trend_regime")
class TrendRegime(KernelFeature):
    """SMA20 vs SMA60: outputs `state` (+1/0/−1, 'near' = within near_pct) and `gap` = SMA20/SMA60 − 1."""
    needs = frozenset({"candle"})
    provides = ("trend_regime",)
    OUTPUTS = ("state", "gap")
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        fast_bars: int = Field(20, ge=1, description="fast SMA period")
        slow_bars: int = Field(60, ge=2, description="slow SMA period")
        near_pct: float = Field(0.1, ge=0, description="|gap| within this percent counts as 'near' (state 0)")

        @model_validator(mode="after")
        def _order(self):
            if self.fast_bars >= self.slow_bars:
                raise ValueError("fast_bars must be smaller than slow_bars")
            return self

    @property
    def warmup(self) -> int:
        return self.p.slow_bars

    def init_state(self):
        s = new_state(2, 3 + 2 + self.p.slow_bars)
        s[2], s[3], s[4] = self.p.fast_bars, self.p.slow_bars, self.p.near_pct / 100.0
        return s
