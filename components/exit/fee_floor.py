"""Fee floor: a filter that vetoes any non-stop exit whose sale would net <= min_net_pct after both fees."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from components.types.costs import UsesCosts
from components.types.orders import Position
from components.types.risk import ExitContext, ExitSignal
from registry import Params, register


@register("exit", "fee_floor")
class FeeFloor(UsesCosts):
    """Never sell at a net loss (or a net gain <= min_net_pct %) unless the exit is a stop.

    A filter, not a trigger: `check` never fires; the manager asks `allows(...)` for each signal."""

    is_filter: ClassVar[bool] = True
    rests_limit: ClassVar[bool] = False     # never fires itself

    class Params(Params):
        min_net_pct: float = Field(0.0, ge=-100, le=100,
                                   description="non-stop exits need net return above this, percent")

    def __init__(self, p: "FeeFloor.Params") -> None:
        self.p = p

    def check(self, position: Position, price: float, ts_ms: int,
              context: ExitContext | None = None) -> ExitSignal | None:
        return None

    def allows(self, position: Position, price: float, signal: ExitSignal,
               context: ExitContext | None = None) -> bool:
        if signal.is_stop:
            return True
        return self.costs.net_return(position.cost_krw, position.volume, price) > self.p.min_net_pct / 100.0
