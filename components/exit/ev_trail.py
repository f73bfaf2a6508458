"""Expected-value trail: exit a profitable position when what it is still expected to earn is worse than
giving back half of what it has already made (net fractions, both fees)."""
from __future__ import annotations

import math

from pydantic import Field

from components.types.costs import UsesCosts
from components.types.orders import Position
from components.types.risk import ExitContext, ExitSignal
from registry import Params, register


@register("exit", "ev_trail")
class EvTrail(UsesCosts):
    """Exit when remaining expected return < -giveback_ratio x realised (default 0.5).

    realised r = the position's net return now (sell at `price`, both fees, actual fills), armed only once
    the peak net return reached `arm_pct` and while r > 0 (losses belong to the stops).
    remaining expected return E = `context.expected_return` (the model's expected further net return of
    holding, e.g. p_up x up_move - (1 - p_up) x down_move) when finite; otherwise the retracement from
    the peak, E = r - peak (momentum proxy: a pullback is assumed to continue by as much again). So without
    a model the rule is "exit once the pullback from the peak exceeds half the current gain".
    """

    rests_limit = True        # exits a gain, not a loss: with orders.exit_type=limit it rests a limit ask
    reads_expected_return = True    # the engine hands it the entry map's expectation of holding

    class Params(Params):
        giveback_ratio: float = Field(0.5, gt=0, le=10, description="exit when E < -ratio x realised")
        arm_pct: float = Field(0.20, ge=0, le=100, description="trail only after the peak net return hit this, %")

    def __init__(self, p: "EvTrail.Params") -> None:
        self.p = p

    def check(self, position: Position, price: float, ts_ms: int,
              context: ExitContext | None = None) -> ExitSignal | None:
        if position.volume <= 0:
            return None
        r = self.costs.net_return(position.cost_krw, position.volume, price)
        peak = max(position.peak_return, r)
        if r <= 0 or peak < self.p.arm_pct / 100.0:
            return None
        expected = context.expected_return if context is not None else math.nan
        remaining = expected if math.isfinite(expected) else r - peak
        if remaining < -self.p.giveback_ratio * r:
            return ExitSignal("ev_trail", is_stop=False, net_return=r)
        return None
