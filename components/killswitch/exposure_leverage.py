"""Exposure / leverage: (positions + KRW locked in buy orders) / equity above max_ratio -> block entries."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "exposure_leverage")
class ExposureLeverage(KillSwitch):
    """Trip when gross exposure / equity > max_ratio (spot cannot exceed ~1 unless the ledger is wrong)."""

    needs_valuation = True

    reads_snapshot = ("equity_krw", "positions_krw", "open_orders_krw")

    class Params(SwitchParams):
        max_ratio: float = Field(1.5, gt=0, description="gross exposure / equity tolerated")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        eq = snapshot.equity_krw
        if not finite(eq) or eq <= 0:
            return None
        ratio = (sum(snapshot.positions_krw.values()) + max(snapshot.open_orders_krw, 0.0)) / eq
        if ratio > self.p.max_ratio:
            return self._trip(ratio=ratio, limit=self.p.max_ratio)
        return None
