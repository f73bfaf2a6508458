"""Trading state (ACTIVE / REDUCING / HALTED) derived from the active kill-switch trips, with expiry (ms)."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from components.types.risk import BLOCK_ENTRIES, CANCEL_ALL, FLATTEN, HALT, PAUSE, SCALE_SIZE


class TradingState(str, enum.Enum):
    """ACTIVE: normal. REDUCING: no new entries or smaller ones; exits run. HALTED: no entries; exits run."""
    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"


@dataclass(slots=True)
class ActiveTrip:
    """A trip in force. until_ms None: a level trip (held while its switch trips) or, if latched, a halt
    that only `RiskManager.clear` ends."""
    switch: str                    # switch instance id (config key)
    component: str                 # registered switch name (message key killswitch.<component>)
    action: str
    reason: str                    # message-catalog key
    started_ms: int
    until_ms: int | None = None
    market: str = ""
    factor: float = 1.0
    latched: bool = False
    values: dict = field(default_factory=dict)
    id: int | None = None          # persistence id

    @property
    def key(self) -> tuple[str, str]:
        return (self.switch, self.market)

    def expired(self, ts_ms: int) -> bool:
        return self.until_ms is not None and ts_ms >= self.until_ms

    def to_record(self) -> dict:
        return {"switch": self.switch, "component": self.component, "action": self.action,
                "reason": self.reason, "started_ms": self.started_ms, "until_ms": self.until_ms,
                "market": self.market, "factor": self.factor, "latched": self.latched,
                "values": dict(self.values), "id": self.id}

    @classmethod
    def from_record(cls, rec: dict) -> "ActiveTrip":
        return cls(switch=rec["switch"], component=rec.get("component") or rec["switch"], action=rec["action"],
                   reason=rec.get("reason", ""), started_ms=int(rec["started_ms"]),
                   until_ms=None if rec.get("until_ms") is None else int(rec["until_ms"]),
                   market=rec.get("market") or "", factor=float(rec.get("factor", 1.0)),
                   latched=bool(rec.get("latched", False)), values=dict(rec.get("values") or {}),
                   id=rec.get("id"))


def derive_state(trips: list[ActiveTrip]) -> TradingState:
    """HALTED if an account-wide halt/pause is active; REDUCING if an account-wide block/scale/flatten is."""
    account = [t for t in trips if not t.market]
    if any(t.action in (HALT, PAUSE) for t in account):
        return TradingState.HALTED
    if any(t.action in (BLOCK_ENTRIES, SCALE_SIZE, FLATTEN) for t in account):
        return TradingState.REDUCING
    return TradingState.ACTIVE


def blocks_entries(trip: ActiveTrip, market: str) -> bool:
    """Does this trip refuse a new entry on `market`? (scale_size and cancel_all never refuse.)"""
    if trip.action in (SCALE_SIZE, CANCEL_ALL):
        return False
    return not trip.market or trip.market == market
