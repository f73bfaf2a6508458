"""A deliberately leaking feature for leakcheck's tests: its batch form returns the NEXT bar's return."""
from __future__ import annotations

import numpy as np

from components.feature.roc import Roc1m
from components.types.events import CANDLE
from registry import register


@register("feature", "next_return")
class NextReturn(Roc1m):
    """Online form = roc_1m (honest); batch form = the following candle's roc_1m (a look-ahead)."""

    def batch(self, stream, rows=None):
        out = super().batch(stream, rows).copy()
        at = np.flatnonzero(np.asarray(stream.kind) == CANDLE)
        out[at[:-1]] = out[at[1:]]         # each candle row reads the next candle's value
        return out
