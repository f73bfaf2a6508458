"""Balance watchdog: KRW equity down drop_pct % from its high of the last window_s -> halt."""
from __future__ import annotations

from collections import deque

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "balance_watchdog")
class BalanceWatchdog(KillSwitch):
    """Trip when equity < (1 - drop_pct %) x the highest equity seen in the last window_s (a crash or a
    runaway bug). Sliding max over a monotonic deque: O(1) amortised per check."""

    needs_valuation = True

    class Params(SwitchParams):
        action: Action = "halt"
        drop_pct: float = Field(3.0, gt=0, le=100, description="equity drop within the window, percent")
        window_s: float = Field(3600.0, gt=0, description="look-back window, seconds")

    def __init__(self, p: "BalanceWatchdog.Params") -> None:
        super().__init__(p)
        self._maxq: deque[tuple[int, float]] = deque()   # (ts_ms, equity), equity strictly decreasing

    def on_params(self, p: "BalanceWatchdog.Params") -> None:
        self._window_ms, self._keep = p.window_s * 1000, 1.0 - p.drop_pct / 100.0

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        eq = snapshot.equity_krw
        if not finite(eq):
            return None
        q = self._maxq
        while q and q[-1][1] <= eq:
            q.pop()
        q.append((ts_ms, eq))
        while q[0][0] < ts_ms - self._window_ms:
            q.popleft()
        high = q[0][1]
        if eq <= high * self._keep:
            drop_pct = (1.0 - eq / high) * 100.0 if high > 0 else 0.0
            return self._trip(drop_pct=drop_pct, limit_pct=self.p.drop_pct, window_min=self.p.window_s / 60.0)
        return None
