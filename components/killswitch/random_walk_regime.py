"""Random-walk regime: no entries on a market whose Hurst exponent sits in [low, high] (no edge to scalp)."""
from __future__ import annotations

from pydantic import Field, model_validator

from components.killswitch.base import MarketSwitch, MetricKeys, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import HURST
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "random_walk_regime")
class RandomWalkRegime(MarketSwitch):
    """Per market: trip (market-scoped block) while hurst@market is within [hurst_low, hurst_high]."""

    reads_market = (HURST,)               # stateless: re-run only when a decision publishes a new Hurst

    class Params(SwitchParams):
        hurst_low: float = Field(0.45, ge=0, le=1)
        hurst_high: float = Field(0.58, ge=0, le=1)

        @model_validator(mode="after")
        def _band(self) -> "RandomWalkRegime.Params":
            if self.hurst_low > self.hurst_high:
                raise ValueError("hurst_low must be <= hurst_high")
            return self

    def __init__(self, p: "RandomWalkRegime.Params") -> None:
        super().__init__(p)
        self._hurst_keys = MetricKeys(HURST)

    def check_market(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int, market: str) -> Trip | None:
        h = metrics.get(self._hurst_keys[market])
        if finite(h) and self.p.hurst_low <= h <= self.p.hurst_high:
            return self._trip(market=market, hurst=h, low=self.p.hurst_low, high=self.p.hurst_high)
        return None
