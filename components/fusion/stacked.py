"""Stacked fusion: a logistic regression on the towers' validation-fold outputs (never their training fits)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import Field

from registry import Params, register


@register("fusion", "stacked")
class StackedFusion:
    """P = σ(b + Σ w_i · logit(p_i)), fitted by `fit(S, y, tower_ids)` on out-of-sample tower outputs.

    Before `fit` (or for a tower it was not fitted with) it falls back to the mean probability; the
    engine reports which. Inputs are logits so a confident tower can outweigh a hesitant one.
    """

    class Params(Params):
        C: float = Field(1.0, gt=0, description="inverse L2 strength of the logistic regression")
        min_rows: int = Field(50, ge=2)

    def __init__(self, p: "StackedFusion.Params") -> None:
        self.p = p
        self.tower_ids: list[str] = []
        self.coef = np.zeros(0)
        self.intercept = 0.0

    @property
    def fitted(self) -> bool:
        return len(self.tower_ids) > 0

    def fit(self, S: np.ndarray, y: np.ndarray, tower_ids: Sequence[str]) -> "StackedFusion":
        from sklearn.linear_model import LogisticRegression
        S = np.asarray(S, np.float64).reshape(len(y), -1)
        ok = np.isfinite(S).all(1)
        y = np.asarray(y)[ok].astype(int)
        if ok.sum() < self.p.min_rows or len(np.unique(y)) < 2:
            return self
        m = LogisticRegression(C=self.p.C, max_iter=1000).fit(_logit(S[ok]), y)
        self.tower_ids, self.coef, self.intercept = list(tower_ids), m.coef_[0].copy(), float(m.intercept_[0])
        return self

    def weights_for(self, tower_ids, market_class: str = "majors"):
        ids = list(tower_ids)
        if not self.fitted:
            return {t: 1.0 / len(ids) for t in ids} if ids else {}, []
        return dict(zip(self.tower_ids, self.coef.tolist())), [t for t in self.tower_ids if t not in ids]

    def combine(self, scores: Mapping[str, float], market_class: str = "majors") -> float:
        if not self.fitted or any(t not in scores for t in self.tower_ids):
            vals = [p for p in scores.values() if math.isfinite(p)]
            return sum(vals) / len(vals) if vals else math.nan
        z = self.intercept
        for t, w in zip(self.tower_ids, self.coef):
            p = min(max(scores[t], 1e-6), 1 - 1e-6)
            z += w * math.log(p / (1 - p))
        return 1.0 / (1.0 + math.exp(-z))


def _logit(P: np.ndarray) -> np.ndarray:
    P = np.clip(P, 1e-6, 1 - 1e-6)
    return np.log(P / (1 - P))
