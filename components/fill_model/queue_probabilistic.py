"""Probabilistic queue fill model: unexplained size decreases at our level are partly ahead of us."""
from __future__ import annotations

from pydantic import Field

from components.fill_model.base import FillModel, FillParams
from registry import register


@register("fill_model", "queue_probabilistic")
class QueueProbabilistic(FillModel):
    """Like queue_conservative, but when the displayed size at our price shrinks by more than the prints
    explain, the cancelled part is taken from ahead of us with P = q^power / (q^power + back^power)
    (q = volume ahead, back = volume behind). power -> inf approaches the risk-averse model."""

    class Params(FillParams):
        queue_power: float = Field(2.0, gt=0, le=20, description="exponent of the ahead/behind split")

    def __init__(self, p: "QueueProbabilistic.Params") -> None:
        super().__init__(p)
