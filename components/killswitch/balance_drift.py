"""Balance drift: exchange balance and our ledger disagree by more than max_drift_pct % -> halt."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import BALANCE_DRIFT_PCT
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "balance_drift")
class BalanceDrift(KillSwitch):
    """Trip when metric balance_drift_pct (reconciliation) > max_drift_pct."""

    reads = (BALANCE_DRIFT_PCT,)          # stateless: re-run only when a reconciliation publishes a new drift

    class Params(SwitchParams):
        action: Action = "halt"
        max_drift_pct: float = Field(1.0, gt=0, description="tolerated ledger vs exchange gap, percent")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        drift = metrics.get(BALANCE_DRIFT_PCT)
        if finite(drift) and drift > self.p.max_drift_pct:
            return self._trip(drift_pct=drift, limit_pct=self.p.max_drift_pct)
        return None
