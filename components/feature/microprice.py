"""Microprice as the size-weighted mid (b1·qa1 + a1·qb1)/(qa1 + qb1), in price units."""
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
    s[0] = (b * qa + a * qb) / (qa + qb)
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


@register("feature", "microprice")
class Microprice(KernelFeature):
    """Weighted mid (first-order micro-price), NOT Stoikov's 2018 limit-of-expected-mids micro-price."""
    needs = frozenset({"book"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        pass

    @property
    def warmup(self) -> int:
        return 1

    def init_state(self):
        return new_state(1, 0)
