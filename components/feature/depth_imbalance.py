"""Depth imbalance over the top K levels: (Σ qb_k − Σ qa_k) / (Σ qb_k + Σ qa_k), in [−1, 1]."""
from __future__ import annotations

from numba import njit
from pydantic import Field

from components.feature._base import FeatureParams, KernelFeature, new_state
from components.feature._kernels import BOOK_K, book_ok
from registry import register

# s: [imbalance, levels]


@njit(cache=True)
def _step(s, ev):
    if ev[0] != BOOK_K:
        return 0
    K = int(s[1])
    if not book_ok(ev, K):       # fewer than K levels is invalid too: the column would change meaning
        return 1
    L = int(ev[2])
    qb, qa = 0.0, 0.0
    for k in range(K):
        qb += ev[3 + L + k]
        qa += ev[3 + 3 * L + k]
    s[0] = (qb - qa) / (qb + qa)
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


@register("feature", "depth_imbalance")
class DepthImbalance(KernelFeature):
    """Size imbalance of the top `levels` levels (a book with fewer levels is an invalid input)."""
    needs = frozenset({"book"})
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        levels: int = Field(10, ge=1, le=30, description="K: book levels per side")

    @property
    def warmup(self) -> int:
        return 1

    def init_state(self):
        s = new_state(1, 1)
        s[1] = self.p.levels
        return s
