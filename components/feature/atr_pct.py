"""ATR (Wilder) as a fraction of the close: ATR_n / C_t; TR from the second bar on (needs C_{t-1})."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state, settle_bars
from components.feature._kernels import CANDLE_K, candle_ok, true_range, wilder
from registry import register

# s: [atr_pct, n, bars_seen, prev_close, tr_count, atr]


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    if s[2] > 0 and wilder(s, 4, 5, s[1], true_range(ev[3], ev[4], s[3])):
        s[0] = s[5] / ev[5]
    s[2] += 1.0
    s[3] = ev[5]
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


@register("feature", "atr_pct")
class AtrPct(KernelFeature):
    """Wilder ATR(14) / close; the first ATR is the mean of the first n true ranges."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(14, ge=1, description="Wilder period n (bars)")

    @property
    def warmup(self) -> int:
        # the seed average must decay away first: same value whatever bar the history starts at
        return self.p.window_bars + 1 + settle_bars(self.p.window_bars)

    def init_state(self):
        s = new_state(1, 5)
        s[1] = self.p.window_bars
        return s
