"""Zombie orders: more than max_orders open orders past their TTL / unknown to us -> cancel all."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import ZOMBIE_ORDERS
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "zombie_orders")
class ZombieOrders(KillSwitch):
    """Trip when metric zombie_orders > max_orders."""

    reads = (ZOMBIE_ORDERS,)

    class Params(SwitchParams):
        action: Action = "cancel_all"
        max_orders: int = Field(5, ge=0, description="zombie orders tolerated")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        n = metrics.get(ZOMBIE_ORDERS)
        if finite(n) and n > self.p.max_orders:
            return self._trip(orders=int(n), limit=self.p.max_orders)
        return None
