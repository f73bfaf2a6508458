"""Rate of change of candle closes: C_t / C_{t-k} - 1 (fraction), k bars back (roc_1m: k=1, roc_5m: k=5)."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import BarParams, KernelFeature, new_state
from components.feature._kernels import CANDLE_K, candle_ok, ring_at, ring_push
from registry import register

# s: [roc, lag, ring(cap = lag + 1) of closes]
RING = 2


@njit(cache=True)
def _step(s, ev):
    if ev[0] != CANDLE_K:
        return 0
    if not candle_ok(ev):
        return 1
    lag = int(s[1])
    ring_push(s, RING, lag + 1, ev[5])
    if s[RING + 1] > lag:
        s[0] = ev[5] / ring_at(s, RING, lag + 1, lag) - 1.0
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


class _Roc(KernelFeature):
    """Shared body of roc_1m / roc_5m (they differ only in the default lag)."""
    needs = frozenset({"candle"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    @property
    def warmup(self) -> int:
        return self.p.lag_bars + 1

    def init_state(self):
        s = new_state(1, 1 + 2 + self.p.lag_bars + 1)
        s[1] = self.p.lag_bars
        return s


@register("feature", "roc_1m")
class Roc1m(_Roc):
    """1-bar rate of change of closes (on 1m bars: one minute; bars, not clock minutes, across gaps)."""

    class Params(BarParams):
        lag_bars: int = Field(1, ge=1, description="k: bars back")


@register("feature", "roc_5m")
class Roc5m(_Roc):
    """5-bar rate of change of closes (on 1m bars: five minutes; bars, not clock minutes, across gaps)."""

    class Params(BarParams):
        lag_bars: int = Field(5, ge=1, description="k: bars back")
