"""Position concentration: one market's position value above max_share of equity -> block entries."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "position_concentration")
class PositionConcentration(KillSwitch):
    """Trip when max(position value) / equity > max_share (the entry limit caps new buys; price moves can
    still concentrate an existing position, which this catches)."""

    needs_valuation = True

    reads_snapshot = ("equity_krw", "positions_krw")

    class Params(SwitchParams):
        max_share: float = Field(0.30, gt=0, le=1, description="largest position / equity tolerated")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        eq = snapshot.equity_krw
        if not finite(eq) or eq <= 0 or not snapshot.positions_krw:
            return None
        market, value = max(snapshot.positions_krw.items(), key=lambda kv: kv[1])
        share = value / eq
        if share > self.p.max_share:
            return self._trip(market_name=market, share_pct=share * 100.0, limit_pct=self.p.max_share * 100.0)
        return None
