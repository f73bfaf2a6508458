"""Level-1 size imbalance (qb1 − qa1) / (qb1 + qa1), in [−1, 1]."""
from __future__ import annotations

from numba import njit

from components.feature._base import FeatureParams, KernelFeature, new_state
from components.feature._kernels import BOOK_K, book_ok
from registry import register


@njit(cache=True)
def _step(s, ev):
    if ev[0] != BOOK_K:
        return 0
    if not book_ok(ev, 1):
        return 1
    L = int(ev[2])
    b, qb, a, qa = ev[3], ev[3 + L], ev[3 + 2 * L], ev[3 + 3 * L]
    s[0] = (qb - qa) / (qb + qa)
    return 0


@register("feature", "bid_ask_imbalance")
class BidAskImbalance(KernelFeature):
    """Best-level bid/ask size imbalance."""
    needs = frozenset({"book"})
    step = staticmethod(_step)

    class Params(FeatureParams):
        pass

    @property
    def warmup(self) -> int:
        return 1

    def init_state(self):
        return new_state(1, 0)
