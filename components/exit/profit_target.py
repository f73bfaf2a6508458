"""Profit target: exit when the position's net return (both fees, actual fills) reaches target_pct %."""
from __future__ import annotations

from pydantic import Field

from components.types.costs import UsesCosts
from components.types.orders import Position
from components.types.risk import ExitContext, ExitSignal
from registry import Params, register


@register("exit", "profit_target")
class ProfitTarget(UsesCosts):
    """Take profit at net return >= target_pct % (default +0.70 %, measured after both legs' fees)."""

    rests_limit = True        # a gain can wait at the touch: with orders.exit_type=limit it rests a limit ask

    class Params(Params):
        target_pct: float = Field(0.70, gt=0, le=100, description="take profit at this net return, percent")

    def __init__(self, p: "ProfitTarget.Params") -> None:
        self.p = p

    def check(self, position: Position, price: float, ts_ms: int,
              context: ExitContext | None = None) -> ExitSignal | None:
        if position.volume <= 0:
            return None
        r = self.costs.net_return(position.cost_krw, position.volume, price)
        if r >= self.p.target_pct / 100.0:
            return ExitSignal("profit_target", is_stop=False, net_return=r)
        return None
