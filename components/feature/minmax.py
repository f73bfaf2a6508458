"""Rolling min-max scaling of another feature's output to [0, 1] over its last w samples."""
from __future__ import annotations

import math

from numba import njit

from components.feature._kernels import ring_at, ring_push
from components.feature._normaliser import Normaliser, NormaliserParams
from registry import register

RING = 2


@njit(cache=True)
def _step(s, x):
    if not math.isfinite(x):
        return
    w = int(s[1])
    ring_push(s, RING, w, x)
    if s[RING + 1] >= w:
        lo, hi = x, x
        for k in range(w):
            v = ring_at(s, RING, w, k)
            lo = min(lo, v)
            hi = max(hi, v)
        s[0] = (x - lo) / (hi - lo) if hi > lo else 0.5     # constant window: middle of the range


@njit(cache=True)
def _batch(s, x, used, out):
    for i in range(x.shape[0]):
        if used[i]:
            _step(s, x[i])
        out[i, 0] = s[0]


@register("feature", "minmax")
class Minmax(Normaliser):
    """Rolling min-max of a wrapped feature (window of its own samples; 0.5 when the window is flat)."""
    Params = NormaliserParams
    kernel, batch_kernel = staticmethod(_step), staticmethod(_batch)
