"""Consecutive losing trades: scale size (standard: 10 losses -> x0.5) or pause (strict: 3 -> 1 h)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "consecutive_losses")
class ConsecutiveLosses(KillSwitch):
    """Trip when the current losing streak >= max_losses. A timed trip (seconds > 0) fires once per streak
    length, so an expired pause does not re-fire until another loss is added (or the streak restarts)."""

    class Params(SwitchParams):
        action: Action = "scale_size"
        factor: float = Field(0.5, gt=0, le=1, description="size multiplier when action is scale_size")
        max_losses: int = Field(10, ge=1, description="losing trades in a row that trip the switch")

    def __init__(self, p: "ConsecutiveLosses.Params") -> None:
        super().__init__(p)
        self._fired_at = 0

    def input_spec(self, markets: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        # untimed it is a function of the streak alone; timed, `_fired_at` is state: evaluate every time
        return None if self.p.seconds > 0 else ((), ("consecutive_losses",))

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        n = int(snapshot.consecutive_losses)
        if n < self.p.max_losses:
            self._fired_at = 0
            return None
        if self.p.seconds > 0:
            if n == self._fired_at:
                return None
            self._fired_at = n
        return self._trip(losses=n, limit=self.p.max_losses)
