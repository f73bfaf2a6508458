"""Bollinger band width (upper - lower) / middle = 2·k·σ_n / SMA_n of closes (population σ, ddof=0)."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_mean_std, ring_push
from registry import register

# s: [width, n, k, ring(cap n) of closes]
RING = 3


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n = int(s[1])
    ring_push(s, RING, n, ev[5])
    if s[RING + 1] >= n:
        m, sd = ring_mean_std(s, RING, n, n, 0)
        s[0] = 2.0 * s[2] * sd / m
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


@register("feature", "bb_width")
class BbWidth(KernelFeature):
    """Bollinger width of candle closes: 4σ20/SMA20 with the defaults (fraction of price)."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(20, ge=2, description="n: bars in the SMA and σ")
        num_std: float = Field(2.0, gt=0, description="k: band half-width in σ")

    @property
    def warmup(self) -> int:
        return self.p.window_bars

    def init_state(self):
        s = new_state(1, 2 + 2 + self.p.window_bars)
        s[1], s[2] = self.p.window_bars, self.p.num_std
        return s
