"""Hard stop-loss: exit when the position's net return (both fees, actual fills) falls to -loss_pct %."""
from __future__ import annotations

from pydantic import Field

from components.types.costs import UsesCosts
from components.types.orders import Position
from components.types.risk import ExitContext, ExitSignal
from registry import Params, register


@register("exit", "hard_stop")
class HardStop(UsesCosts):
    """Stop out at net return <= -loss % (a stop: bypasses fee_floor). The loss is `loss_pct` when set, else
    `loss_pct_by_class[market_class]` (majors 0.8, alts 1.2) so presets need not touch the exit's node."""

    rests_limit = False       # a stop leaves at once: always a market order
    bounds_loss = True        # closes any position at a bounded loss (money-moving modes require one)

    class Params(Params):
        loss_pct: float | None = Field(None, gt=0, le=50, description="stop at this net loss, percent "
                                                                      "(null = by market class)")
        loss_pct_by_class: dict[str, float] = Field(
            default_factory=lambda: {"majors": 0.8, "alts": 1.2, "emerging": 1.2},
            description="net loss per market class, percent")

    def __init__(self, p: "HardStop.Params") -> None:
        self.p = p

    def loss_pct(self, context: ExitContext | None = None) -> float:
        if self.p.loss_pct is not None:
            return self.p.loss_pct
        cls = context.market_class if context is not None else "majors"
        return self.p.loss_pct_by_class.get(cls, max(self.p.loss_pct_by_class.values(), default=0.8))

    def check(self, position: Position, price: float, ts_ms: int,
              context: ExitContext | None = None) -> ExitSignal | None:
        if position.volume <= 0:
            return None
        r = self.costs.net_return(position.cost_krw, position.volume, price)
        if r <= -self.loss_pct(context) / 100.0:
            return ExitSignal("hard_stop", is_stop=True, net_return=r)
        return None
