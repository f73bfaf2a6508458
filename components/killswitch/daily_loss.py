"""Daily loss limit: equity down loss_pct % from the day's start (UTC 00:00 = Upbit's 09:00 KST day)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register

DAY_MS = 86_400_000


@register("killswitch", "daily_loss")
class DailyLoss(KillSwitch):
    """Trip when equity / day-start equity - 1 <= -loss_pct %; lasts until the day ends unless seconds set."""

    needs_valuation = True
    # its verdict is a function of these two; the clock only sets a new trip's length (a new trip is always
    # built by a fresh check, so a kept verdict never lends its length to one)
    reads_snapshot = ("day_start_equity_krw", "equity_krw")

    class Params(SwitchParams):
        loss_pct: float = Field(8.0, gt=0, le=100, description="daily loss limit, percent of day-start equity")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        start, eq = snapshot.day_start_equity_krw, snapshot.equity_krw
        if not (finite(start) and finite(eq)) or start <= 0:
            return None
        loss_pct = (1.0 - eq / start) * 100.0
        if eq > start * (1.0 - self.p.loss_pct / 100.0):   # product form: exact at the threshold
            return None
        until_day_end_s = (DAY_MS - ts_ms % DAY_MS) / 1000.0
        return self._trip(seconds=self.p.seconds or until_day_end_s, loss_pct=loss_pct,
                          limit_pct=self.p.loss_pct)
