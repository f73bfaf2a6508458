"""buy_and_hold tower: always wants to be long — the passive baseline every strategy must beat after costs."""
from __future__ import annotations

import numpy as np
from pydantic import Field

from components.types.kinds import Tower
from registry import Params, register


@register("tower", "buy_and_hold")
class BuyAndHold(Tower):
    """Constant P(up) = `p_up` for every row. Run it with no exits to hold from the first warm decision
    to the end (`towers=[buy_and_hold] exits=[]`); with exits it re-enters after each exit and cooldown."""
    outputs = ("p_up",)
    calibrated = False        # a rule's score, not a probability: no calibration_ece from it
    baseline = True           # a rule baseline: the walk-forward does not train it

    class Params(Params):
        p_up: float = Field(1.0, ge=0, le=1, description="the constant probability reported")

    def __init__(self, p: "BuyAndHold.Params") -> None:
        self.p = p

    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], **kw) -> "BuyAndHold":
        self.feature_names = list(feature_names)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full((len(X), 1), self.p.p_up)

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        return np.array([self.p.p_up])
