"""Size scaled down by the number of positions already open: the n-th concurrent entry risks less."""
from __future__ import annotations

from pydantic import Field

from components.sizing_limit.base import LimitVerdict, SizingLimit
from components.types.risk import SizingContext
from registry import Params, register


@register("sizing_limit", "open_positions")
class OpenPositions(SizingLimit):
    """factor = max(min_factor, decay ** open positions): with 0 open the full size, each held position shrinks the
    next entry (scalp backtest sizing_limits=[open_positions] sizing_limits.open_positions.decay=0.5)."""

    class Params(Params):
        decay: float = Field(0.7, gt=0, le=1, description="size multiplier per position already open")
        min_factor: float = Field(0.25, ge=0, le=1, description="never scale below this (0 = may refuse)")

    def __init__(self, p: "OpenPositions.Params") -> None:
        self.p = p

    def limit(self, market: str, ctx: SizingContext, held: tuple[str, ...]) -> LimitVerdict:
        n = len([h for h in held if h != market]) if held else int(ctx.open_positions)
        factor = max(self.p.min_factor, self.p.decay ** n)
        return LimitVerdict(factor, f"open_positions: {n} open -> x{factor:.2f}" if factor < 1.0 else "")
