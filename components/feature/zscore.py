"""Rolling z-score of another feature's output: (x − mean_w) / std_w over its last w samples (ddof 0)."""
from __future__ import annotations

import math

from numba import njit

from components.feature._kernels import ring_mean_std, ring_push
from components.feature._normaliser import Normaliser, NormaliserParams
from registry import register

RING = 2


@njit(cache=True)
def _step(s, x):
    if not math.isfinite(x):
        return                       # the wrapped feature is not warm yet: nothing to sample
    w = int(s[1])
    ring_push(s, RING, w, x)
    if s[RING + 1] >= w:
        m, sd = ring_mean_std(s, RING, w, w, 0)
        s[0] = (x - m) / sd if sd > 0 else 0.0     # constant window: no deviation


@njit(cache=True)
def _batch(s, x, used, out):
    for i in range(x.shape[0]):
        if used[i]:
            _step(s, x[i])
        out[i, 0] = s[0]


@register("feature", "zscore")
class Zscore(Normaliser):
    """Rolling z-score of a wrapped feature (window of its own samples; never whole-dataset statistics)."""
    Params = NormaliserParams
    kernel, batch_kernel = staticmethod(_step), staticmethod(_batch)
