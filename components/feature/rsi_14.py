"""RSI (Wilder): 100 * AG / (AG + AL) over 1-bar close changes, AG/AL Wilder-smoothed; 0..100."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state, settle_bars
from components.feature._kernels import CANDLE_K, candle_ok, wilder
from registry import register

# s: [rsi, n, closes_seen, prev_close, gain_count, avg_gain, loss_count, avg_loss]


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    c, n = ev[5], s[1]
    if s[2] > 0:
        d = c - s[3]
        wilder(s, 4, 5, n, max(d, 0.0))
        if wilder(s, 6, 7, n, max(-d, 0.0)):
            tot = s[5] + s[7]
            s[0] = 100.0 * s[5] / tot if tot > 0 else 50.0   # flat window: neutral 50
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


@register("feature", "rsi_14")
class Rsi14(KernelFeature):
    """Wilder RSI of candle closes (first average = mean of the first n changes); flat window -> 50."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(14, ge=2, description="Wilder period n (bars)")

    @property
    def warmup(self) -> int:
        # the seed average must decay away first: same value whatever bar the history starts at
        return self.p.window_bars + 1 + settle_bars(self.p.window_bars)

    def init_state(self):
        s = new_state(1, 7)
        s[1] = self.p.window_bars
        return s
