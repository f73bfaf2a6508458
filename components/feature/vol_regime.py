"""Volatility regime: Wilder ATR_fast / ATR_slow (ATR20 / ATR60 by default); > 1 means volatility rising."""
from __future__ import annotations

from numba import njit
from pydantic import Field, model_validator

from components.feature._base import BarParams, KernelFeature, new_state, settle_bars
from components.feature._kernels import CANDLE_K, candle_ok, true_range, wilder
from registry import register

# s: [ratio, n_fast, n_slow, bars_seen, prev_close, c_fast, atr_fast, c_slow, atr_slow]


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    if s[3] > 0:
        tr = true_range(ev[3], ev[4], s[4])
        wilder(s, 5, 6, s[1], tr)
        if wilder(s, 7, 8, s[2], tr) and s[5] >= s[1]:
            s[0] = s[6] / s[8] if s[8] > 0 else 1.0     # no range at all: neutral 1
    s[3] += 1.0
    s[4] = ev[5]
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


@register("feature", "vol_regime")
class VolRegime(KernelFeature):
    """ATR20 / ATR60 of candles (both Wilder); 1.0 when the slow ATR is zero."""
    needs = frozenset({"candle"})
    provides = ("vol_regime",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        fast_bars: int = Field(20, ge=1, description="fast ATR period")
        slow_bars: int = Field(60, ge=2, description="slow ATR period")

        @model_validator(mode="after")
        def _order(self):
            if self.fast_bars >= self.slow_bars:
                raise ValueError("fast_bars must be smaller than slow_bars")
            return self

    @property
    def warmup(self) -> int:
        # the seed average must decay away first: same value whatever bar the history starts at
        return self.p.slow_bars + 1 + settle_bars(self.p.slow_bars)

    def init_state(self):
        s = new_state(1, 8)
        s[1], s[2] = self.p.fast_bars, self.p.slow_bars
        return s
