"""API error rate: failed share of recent REST calls >= max_rate -> pause (default 30 min)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import API_CALLS, API_ERROR_RATE
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "api_error_rate")
class ApiErrorRate(KillSwitch):
    """Trip when metric api_error_rate >= max_rate over at least min_calls calls (api_calls)."""

    reads = (API_ERROR_RATE, API_CALLS)

    class Params(SwitchParams):
        action: Action = "pause"
        seconds: float = Field(1800.0, ge=0, description="trip lifetime, seconds")
        max_rate: float = Field(0.05, gt=0, le=1, description="error share that trips, fraction")
        min_calls: int = Field(20, ge=1, description="calls in the window before the rate counts")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        rate, calls = metrics.get(API_ERROR_RATE), metrics.get(API_CALLS)
        if not finite(rate) or (finite(calls) and calls < self.p.min_calls):
            return None
        if rate >= self.p.max_rate:
            return self._trip(rate_pct=rate * 100.0, limit_pct=self.p.max_rate * 100.0)
        return None
