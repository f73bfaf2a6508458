"""Stale market data: no event from a market for max_age_s -> no entries on that market."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import MarketSwitch, MetricKeys, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import LAST_EVENT_TS_MS
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "stale_data")
class StaleData(MarketSwitch):
    """Per market: trip while now - last_event_ts_ms@market > max_age_s (a market never seen is not judged)."""

    class Params(SwitchParams):
        max_age_s: float = Field(60.0, gt=0, description="oldest tolerated latest event, seconds")

    def __init__(self, p: "StaleData.Params") -> None:
        super().__init__(p)
        self._last_keys = MetricKeys(LAST_EVENT_TS_MS)

    def check_market(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int, market: str) -> Trip | None:
        last = metrics.get(self._last_keys[market])
        if not finite(last):
            return None
        age_s = (ts_ms - last) / 1000.0
        if age_s > self.p.max_age_s:
            return self._trip(market=market, age_s=age_s, limit_s=self.p.max_age_s)
        return None
