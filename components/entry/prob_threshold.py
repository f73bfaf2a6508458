"""prob_threshold entry: enter when the fused P(up) is at least `min_prob` (the spec's simple rule)."""
from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from components.types.entry import EntryContext, EntryVerdict
from registry import Params, register


@register("entry", "prob_threshold")
class ProbThreshold:
    """Enter iff p >= min_prob (default 0.60). Ignores costs: use cost_aware for that."""

    class Params(Params):
        min_prob: float = Field(0.60, gt=0, lt=1)

    def __init__(self, p: "ProbThreshold.Params") -> None:
        self.p = p

    def fit(self, p_val: np.ndarray, ret_val: np.ndarray, cost_frac=None) -> "ProbThreshold":
        return self

    def decide(self, p: float, ctx: EntryContext | None = None) -> EntryVerdict:
        ok = math.isfinite(p) and p >= self.p.min_prob
        return EntryVerdict(ok, math.nan, self.p.min_prob, "prob>=min" if ok else "prob<min")

    def decide_many(self, p: np.ndarray, spread_frac=math.nan, vol_regime=1.0, cost_frac=None) -> np.ndarray:
        p = np.asarray(p, np.float64)
        return np.isfinite(p) & (p >= self.p.min_prob)
