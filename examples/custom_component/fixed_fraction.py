"""Example plugin: size every entry as a fixed fraction of the KRW balance (a user's own component)."""
from __future__ import annotations

from pydantic import Field

from components.types.costs import UsesCosts
from registry import Params, register


@register("sizing", "fixed_fraction")
class FixedFraction(UsesCosts):
    """Spend `fraction` of the available KRW per entry; nothing under the exchange minimum. The engine binds
    the run's cost model (`self.costs`: fee, minimum order) through `UsesCosts.bind_costs`."""

    class Params(Params):
        fraction: float = Field(0.1, gt=0, le=1, description="share of available KRW per entry")
        min_confidence: float = Field(0.6, ge=0, le=1, description="below this confidence size 0")

    def __init__(self, p: "FixedFraction.Params") -> None:
        self.p = p

    def size_krw(self, balance_krw: float, confidence: float, context=None) -> float:
        if confidence < self.p.min_confidence:
            return 0.0
        size = min(balance_krw * self.p.fraction, self.costs.affordable_krw(balance_krw))
        return size if size >= self.costs.min_order_krw else 0.0
