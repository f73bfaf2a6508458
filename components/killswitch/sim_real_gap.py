"""Sim-real gap: live results diverge from the simulator's by more than max_gap_pct % -> halt (+ alert)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import SIM_REAL_GAP_PCT
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "sim_real_gap")
class SimRealGap(KillSwitch):
    """Trip when metric sim_real_gap_pct > max_gap_pct: the backtest no longer describes reality."""

    reads = (SIM_REAL_GAP_PCT,)

    class Params(SwitchParams):
        action: Action = "halt"
        max_gap_pct: float = Field(10.0, gt=0, description="tolerated sim vs live gap, percent")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        gap = metrics.get(SIM_REAL_GAP_PCT)
        if finite(gap) and gap > self.p.max_gap_pct:
            return self._trip(gap_pct=gap, limit_pct=self.p.max_gap_pct)
        return None
