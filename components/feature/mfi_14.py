"""Money Flow Index: 100·pos/(pos+neg) of raw flow TP·V over n bars, split by the sign of ΔTP; 0..100."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [mfi, n, bars_seen, prev_tp, ring_pos(cap n), ring_neg(cap n)]
RPOS = 4


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    n = int(s[1])
    rneg = RPOS + 2 + n
    tp = (ev[3] + ev[4] + ev[5]) / 3.0
    if s[2] > 0:
        flow = tp * ev[6]
        ring_push(s, RPOS, n, flow if tp > s[3] else 0.0)
        ring_push(s, rneg, n, flow if tp < s[3] else 0.0)
        if s[RPOS + 1] >= n:
            pos, neg = 0.0, 0.0
            for k in range(n):
                pos += ring_at(s, RPOS, n, k)
                neg += ring_at(s, rneg, n, k)
            s[0] = 100.0 * pos / (pos + neg) if pos + neg > 0 else 50.0   # no flow: neutral 50
    s[2] += 1.0
    s[3] = tp
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


@register("feature", "mfi_14")
class Mfi14(KernelFeature):
    """MFI(14) = 100 − 100/(1 + pos/neg) (written as 100·pos/(pos+neg)); equal TP -> neither side."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(BarParams):
        window_bars: int = Field(14, ge=1, description="n: bars of money flow")

    @property
    def warmup(self) -> int:
        return self.p.window_bars + 1

    def init_state(self):
        n = self.p.window_bars
        s = new_state(1, 3 + 2 * (2 + n))
        s[1] = n
        return s
