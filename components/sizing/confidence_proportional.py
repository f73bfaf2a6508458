"""The spec's confidence-proportional sizing (DESIGN §8): KRW size from balance and confidence c in [0, 1]."""
from __future__ import annotations

import math

from pydantic import Field, model_validator

from components.types.money import finalize_krw
from components.types.costs import UsesCosts
from components.types.risk import SizingContext
from registry import Params, register


@register("sizing", "confidence_proportional")
class ConfidenceProportional(UsesCosts):
    """balance < 5,000 or c < threshold -> 0; small account (<= 20,000): c >= 0.80 -> 98 %, else the forced
    minimum 5,500; larger: balance x c (under 5,000 -> 5,500); never more than balance pays with the fee."""

    class Params(Params):
        min_confidence: float = Field(0.60, ge=0, le=1, description="below this confidence size 0")
        small_account_krw: float = Field(20_000, ge=5_000, description="balance at or below = small account")
        small_high_confidence: float = Field(0.80, ge=0, le=1,
                                             description="small account: from this c use small_share")
        small_share: float = Field(0.98, gt=0, le=1, description="small account share at high confidence")
        forced_min_krw: float = Field(5_500, ge=5_000,
                                      description="entry used when the rule's size is under 5,000 KRW")

        @model_validator(mode="after")
        def _ordered(self) -> "ConfidenceProportional.Params":
            if self.small_high_confidence < self.min_confidence:
                raise ValueError("small_high_confidence must be >= min_confidence")
            return self

    def __init__(self, p: "ConfidenceProportional.Params") -> None:
        self.p = p

    def size_krw(self, balance_krw: float, confidence: float, context: SizingContext | None = None) -> float:
        p = self.p
        if not (math.isfinite(balance_krw) and math.isfinite(confidence)):
            return 0.0
        if balance_krw < self.costs.min_order_krw or confidence < p.min_confidence:
            return 0.0
        if balance_krw <= p.small_account_krw:
            raw = balance_krw * p.small_share if confidence >= p.small_high_confidence else p.forced_min_krw
        else:
            raw = balance_krw * min(confidence, 1.0)
        return finalize_krw(raw, balance_krw, self.costs, forced_min_krw=p.forced_min_krw)
