"""Store errors: more than max_errors failed store writes in the window -> pause (default 15 min)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import STORE_ERRORS
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "store_errors")
class StoreErrors(KillSwitch):
    """Trip when metric store_errors > max_errors (trading without a record would lose decisions)."""

    reads = (STORE_ERRORS,)

    class Params(SwitchParams):
        action: Action = "pause"
        seconds: float = Field(900.0, ge=0, description="trip lifetime, seconds")
        max_errors: int = Field(3, ge=0, description="store errors tolerated in the window")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        n = metrics.get(STORE_ERRORS)
        if finite(n) and n > self.p.max_errors:
            return self._trip(errors=int(n), limit=self.p.max_errors)
        return None
