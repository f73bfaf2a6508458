"""Maximum drawdown: equity down max_drawdown_pct % from its peak -> halt (latched until cleared)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "max_drawdown")
class MaxDrawdown(KillSwitch):
    """Trip when 1 - equity / peak equity >= drawdown_pct %."""

    needs_valuation = True

    reads_snapshot = ("peak_equity_krw", "equity_krw")

    class Params(SwitchParams):
        action: Action = "halt"
        drawdown_pct: float = Field(20.0, gt=0, le=100, description="max drawdown from peak equity, percent")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        peak, eq = snapshot.peak_equity_krw, snapshot.equity_krw
        if not (finite(peak) and finite(eq)) or peak <= 0:
            return None
        dd_pct = (1.0 - eq / peak) * 100.0
        if eq <= peak * (1.0 - self.p.drawdown_pct / 100.0):   # product form: exact at the threshold
            return self._trip(drawdown_pct=dd_pct, limit_pct=self.p.drawdown_pct)
        return None
