"""Fixed KRW size per entry, never above what the balance pays including the buy fee."""
from __future__ import annotations

from pydantic import Field

from components.types.money import finalize_krw
from components.types.costs import UsesCosts
from components.types.risk import SizingContext
from registry import Params, register


@register("sizing", "fixed_krw")
class FixedKrw(UsesCosts):
    """Size every entry as `amount_krw` (capped to the fee-inclusive balance; 0 under 5,000 KRW)."""

    class Params(Params):
        amount_krw: float = Field(10_000, ge=5_000, description="KRW per entry (Upbit minimum 5,000)")
        min_confidence: float = Field(0.0, ge=0, le=1, description="below this confidence size 0")

    def __init__(self, p: "FixedKrw.Params") -> None:
        self.p = p

    def size_krw(self, balance_krw: float, confidence: float, context: SizingContext | None = None) -> float:
        if confidence < self.p.min_confidence:
            return 0.0
        return finalize_krw(self.p.amount_krw, balance_krw, self.costs)
