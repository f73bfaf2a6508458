"""Memory: engine resident memory above limit_mb -> block entries (and alert) before the OS kills us."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import MEMORY_RSS_MB
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "memory")
class Memory(KillSwitch):
    """Trip when metric memory_rss_mb > limit_mb."""

    reads = (MEMORY_RSS_MB,)

    class Params(SwitchParams):
        limit_mb: float = Field(4096.0, gt=0, description="resident memory limit, MiB")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        mb = metrics.get(MEMORY_RSS_MB)
        if finite(mb) and mb > self.p.limit_mb:
            return self._trip(rss_mb=mb, limit_mb=self.p.limit_mb)
        return None
