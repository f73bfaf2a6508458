"""Time stop: leave a position held `after_s` seconds that still nets below `min_return_pct` %."""
from __future__ import annotations

from pydantic import Field

from components.types.costs import UsesCosts
from components.types.orders import Position
from components.types.risk import ExitContext, ExitSignal
from registry import Params, register


@register("exit", "time_stop")
class TimeStop(UsesCosts):
    """After `after_s` (300 s) exit if net return < min_return_pct (+0.05 %); after `max_hold_s` (or, when
    null, `max_hold_s_by_class[market_class]`: emerging 120 s) exit regardless. Counts as a stop (bypasses fee_floor) unless `is_stop: false`, so a stale loser is
    not held forever waiting for the hard stop."""

    rests_limit = False       # time is up: leave at market

    class Params(Params):
        after_s: float = Field(300, gt=0, description="holding time before the return test, seconds")
        min_return_pct: float = Field(0.05, description="exit below this net return, percent")
        max_hold_s: float | None = Field(None, gt=0, description="exit at this holding time whatever the return")
        max_hold_s_by_class: dict[str, float] = Field(
            default_factory=lambda: {"emerging": 120.0},
            description="max_hold_s per market class when max_hold_s is null")
        is_stop: bool = Field(True, description="bypass fee_floor (a time stop may realise a loss)")

    def __init__(self, p: "TimeStop.Params") -> None:
        self.p = p

    def check(self, position: Position, price: float, ts_ms: int,
              context: ExitContext | None = None) -> ExitSignal | None:
        if position.volume <= 0:
            return None
        held_s = (ts_ms - position.entry_ts_ms) / 1000.0
        r = self.costs.net_return(position.cost_krw, position.volume, price)
        cap = self.p.max_hold_s
        if cap is None and context is not None:
            cap = self.p.max_hold_s_by_class.get(context.market_class)
        if cap is not None and held_s >= cap:
            return ExitSignal("time_stop", is_stop=self.p.is_stop, net_return=r)
        if held_s >= self.p.after_s and r < self.p.min_return_pct / 100.0:
            return ExitSignal("time_stop", is_stop=self.p.is_stop, net_return=r)
        return None
