"""Risk-averse queue fill model: a resting order waits behind all volume displayed at its price on arrival."""
from __future__ import annotations

from pydantic import Field

from components.fill_model.base import FillModel, FillParams
from registry import register


@register("fill_model", "queue_conservative")
class QueueConservative(FillModel):
    """Queue ahead = displayed size at our price when the order arrives; only opposite-aggressor prints
    at our price consume it; a smaller snapshot size caps it (cancels assumed behind us); a print
    through our price or the opposite best touching it fills the rest. Marketable orders walk the book."""

    class Params(FillParams):
        queue_power: float = Field(0.0, ge=0, le=0, description="fixed 0: risk-averse (see queue_probabilistic)")

    def __init__(self, p: "QueueConservative.Params") -> None:
        super().__init__(p)
