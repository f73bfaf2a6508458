"""Volume regime: mean volume of the last fast bars / mean of the last slow bars (20 / 60); 1.0 with no volume."""
from __future__ import annotations

from numba import njit
from pydantic import Field, model_validator

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [ratio, n_fast, n_slow, ring(cap n_slow) of volumes]
RING = 3


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    nf, ns = int(s[1]), int(s[2])
    ring_push(s, RING, ns, ev[6])
    if s[RING + 1] >= ns:
        f, sl = 0.0, 0.0
        for k in range(ns):
            x = ring_at(s, RING, ns, k)
            sl += x
            if k < nf:
                f += x
        s[0] = (f / nf) / (sl / ns) if sl > 0 else 1.0
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


@register("feature", "volume_regime")
class VolumeRegime(KernelFeature):
    """Mean volume 20 / mean volume 60 over candles (> 1: volume picking up; < 0.5: dry-up)."""
    needs = frozenset({"candle"})
    provides = ("volume_regime",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        fast_bars: int = Field(20, ge=1, description="fast mean period")
        slow_bars: int = Field(60, ge=2, description="slow mean period")

        @model_validator(mode="after")
        def _order(self):
            if self.fast_bars >= self.slow_bars:
                raise ValueError("fast_bars must be smaller than slow_bars")
            return self

    @property
    def warmup(self) -> int:
        return self.p.slow_bars

    def init_state(self):
        s = new_state(1, 2 + 2 + self.p.slow_bars)
        s[1], s[2] = self.p.fast_bars, self.p.slow_bars
        return s
