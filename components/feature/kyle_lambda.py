"""Kyle's lambda per trade: cov(r, q) / var(q) over the last n trades, r = log p_i/p_{i−1}, q = s_i·v_i."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import FeatureParams, KernelFeature, new_state
from components.feature._kernels import TRADE_K, ring_cov_ratio as _cov_ratio, ring_push, trade_ok
from registry import register

# s: [lambda, n, have_prev, prev_price, ring r (cap n), ring q (cap n)]
RR = 4


@njit(cache=True)
def _step(s, ev):
    if ev[0] != TRADE_K:
        return 0
    if not trade_ok(ev):
        return 1
    n = int(s[1])
    if s[2] > 0:
        ring_push(s, RR, n, math.log(ev[2] / s[3]))
        ring_push(s, RR + 2 + n, n, ev[4] * ev[3])
        if s[RR + 1] >= n:
            s[0] = _cov_ratio(s, RR, RR + 2 + n, n)
    s[2] = 1.0
    s[3] = ev[2]
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


@register("feature", "kyle_lambda")
class KyleLambda(KernelFeature):
    """Price impact per unit of taker-signed volume (plain signed volume, not √value), step = one trade."""
    needs = frozenset({"trade"})
    provides = ("kyle_lambda",)
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        window_trades: int = Field(200, ge=3, description="n: trades in the regression")

    @property
    def warmup(self) -> int:
        return self.p.window_trades + 1

    def init_state(self):
        n = self.p.window_trades
        s = new_state(1, 3 + 2 * (2 + n))
        s[1] = n
        return s
