"""momentum_rule tower: P(up) from a weighted momentum / order-flow score passed through a threshold logistic."""
from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from components.types.kinds import Tower
from components.tower.columns import weighted_columns
from registry import Params, register


@register("tower", "momentum_rule")
class MomentumRule(Tower):
    """score = Σ weight·column over the matched inputs; P(up) = 1 / (1 + exp(-(score - threshold_score) / scale_score)).

    A rule, not a model: at `threshold_score` the tower says 0.5, one `scale_score` above it says 0.73.
    Inputs are FeatureSet column names matched by prefix (`roc_5m` matches `roc_5m` and `roc_5m.x`), so the
    same tower reads candle momentum (roc_1m, roc_5m) or tick order flow (ofi, cumdelta) — choose with
    `towers.momentum_rule.inputs`. `fit` calibrates only the threshold: the `fit_quantile` quantile of the
    training scores (so the rule fires on the top 1 - q of history, whatever the units of its inputs).
    """
    outputs = ("p_up",)
    calibrated = False        # a rule's score, not a probability: no calibration_ece from it
    baseline = True           # a rule baseline: the walk-forward does not train it
    batch_scores = True       # stateless per row: a replay may score all rows up front (step_batch == step)

    class Params(Params):
        inputs: dict[str, float] = Field(default_factory=lambda: {"roc_5m": 1.0, "roc_1m": 0.5},
                                         description="column-name prefix -> weight in the score")
        threshold_score: float = Field(0.0015, description="score at which P(up) = 0.5 (units of the inputs)")
        scale_score: float = Field(5e-4, gt=0, description="score distance for one logit of P(up), in the "
                                   "inputs' units (a momentum scale, not a cost)")
        fit_quantile: float = Field(0.95, gt=0, lt=1, description="fit(): threshold = this quantile of scores")
        min_columns: int = Field(1, ge=1, description="refuse to run with fewer matched columns")

    def __init__(self, p: "MomentumRule.Params") -> None:
        self.p = p
        self.threshold = p.threshold_score
        self.cols = np.zeros(0, np.int64)
        self.w = np.zeros(0)
        self.feature_names = None

    def bind(self, feature_names: list[str]) -> None:
        self.feature_names = list(feature_names)
        self.cols, self.w = weighted_columns(feature_names, self.p.inputs, "towers.momentum_rule.inputs",
                                             self.p.min_columns, self.providers)

    def score(self, X: np.ndarray) -> np.ndarray:
        """Weighted sum per row; NaN inputs count as 0 (a cold column must not trigger an entry)."""
        Z = np.nan_to_num(np.atleast_2d(np.asarray(X, float))[:, self.cols], nan=0.0, posinf=0.0, neginf=0.0)
        return Z @ self.w

    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], **kw) -> "MomentumRule":
        self.bind(feature_names)
        s = self.score(X)
        s = s[np.isfinite(s)]
        if len(s):
            self.threshold = float(np.quantile(s, self.p.fit_quantile))
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.feature_names is None:
            raise RuntimeError("momentum_rule tower used before bind(feature_names)")
        z = (self.score(X) - self.threshold) / self.p.scale_score
        return (1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))).reshape(-1, 1)

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        s = 0.0
        for c, w in zip(self.cols.tolist(), self.w.tolist()):
            v = float(x[c])
            if math.isfinite(v):
                s += w * v
        z = max(-50.0, min(50.0, (s - self.threshold) / self.p.scale_score))
        return np.array([1.0 / (1.0 + math.exp(-z))])

    def step_batch(self, X: np.ndarray) -> np.ndarray:
        """`step` for every row of X (n, 1), bit for bit: the same sum order and the same math.exp."""
        X = np.asarray(X, float)
        s = np.zeros(len(X))
        for c, w in zip(self.cols.tolist(), self.w.tolist()):
            v = X[:, c]
            s = s + np.where(np.isfinite(v), w * v, 0.0)
        z = np.clip((s - self.threshold) / self.p.scale_score, -50.0, 50.0)
        return np.array([1.0 / (1.0 + math.exp(-zi)) for zi in z.tolist()]).reshape(-1, 1)
