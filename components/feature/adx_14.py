"""ADX (Wilder): smoothed ±DM and TR -> ±DI, DX = 100·|+DI − −DI|/(+DI + −DI), ADX = Wilder mean of DX; 0..100."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state, settle_bars
from components.feature._kernels import CANDLE_K, candle_ok, true_range, wilder
from registry import register

# s: [adx, n, bars_seen, prev_h, prev_l, prev_c, c_tr, a_tr, c_p, a_p, c_m, a_m, c_dx, a_dx]


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    h, l, c, n = ev[3], ev[4], ev[5], s[1]
    if s[2] > 0:
        up, down = h - s[3], s[4] - l
        pdm = up if (up > down and up > 0.0) else 0.0
        mdm = down if (down > up and down > 0.0) else 0.0
        wilder(s, 6, 7, n, true_range(h, l, s[5]))
        wilder(s, 8, 9, n, pdm)
        if wilder(s, 10, 11, n, mdm):
            pdi = 100.0 * s[9] / s[7] if s[7] > 0 else 0.0
            mdi = 100.0 * s[11] / s[7] if s[7] > 0 else 0.0
            dx = 100.0 * abs(pdi - mdi) / (pdi + mdi) if pdi + mdi > 0 else 0.0
            if wilder(s, 12, 13, n, dx):
                s[0] = s[13]
    s[2] += 1.0
    s[3], s[4], s[5] = h, l, c
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


@register("feature", "adx_14")
class Adx14(KernelFeature):
    """Wilder ADX(14) of candles (flat bars: DI = DX = 0)."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(14, ge=1, description="Wilder period n (bars)")

    @property
    def warmup(self) -> int:
        # the seed average must decay away first: same value whatever bar the history starts at
        return 2 * (self.p.window_bars + settle_bars(self.p.window_bars))   # DX smoothed, then ADX

    def init_state(self):
        s = new_state(1, 13)
        s[1] = self.p.window_bars
        return s
