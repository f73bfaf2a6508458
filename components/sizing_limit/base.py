"""The sizing-limit interface: a multiplier on the policy's size, from what the account already holds."""
from __future__ import annotations

from dataclasses import dataclass

from components.types.risk import SizingContext


@dataclass(frozen=True, slots=True)
class LimitVerdict:
    """factor in [0, 1] on the entry's size (0 = refused); `reason` a stable code with its measured value."""
    factor: float = 1.0
    reason: str = ""


class SizingLimit:
    """A `sizing_limits` member: `limit(market, ctx, held)` scales (or refuses) one entry given the markets held;
    `observe(market, ts_ms, price)` feeds it the decision prices (for limits that need a price history)."""

    def observe(self, market: str, ts_ms: int, price: float) -> None:
        return None

    def limit(self, market: str, ctx: SizingContext, held: tuple[str, ...]) -> LimitVerdict:
        raise NotImplementedError
