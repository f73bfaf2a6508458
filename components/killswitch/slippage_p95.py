"""Slippage p95: realised fill slippage vs the decision price too high over the last fills -> block entries."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import SLIPPAGE_FILLS, SLIPPAGE_P95_BPS
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "slippage_p95")
class SlippageP95(KillSwitch):
    """Trip when the p95 of realised slippage (bps, last `orders.slippage_window_fills` fills, published by
    the engine as slippage_p95_bps) exceeds max_p95_bps once at least min_fills fills are behind it."""

    reads = (SLIPPAGE_P95_BPS, SLIPPAGE_FILLS)

    class Params(SwitchParams):
        action: Action = "block_entries"
        max_p95_bps: float = Field(30.0, gt=0, le=1000, description="tolerated p95 slippage vs the decision price, bps")
        min_fills: int = Field(20, ge=1, description="fills in the window before the p95 is trusted")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        p95, n = metrics.get(SLIPPAGE_P95_BPS), metrics.get(SLIPPAGE_FILLS)
        if finite(p95) and finite(n) and n >= self.p.min_fills and p95 > self.p.max_p95_bps:
            return self._trip(p95_bps=p95, limit_bps=self.p.max_p95_bps, fills=int(n))
        return None
