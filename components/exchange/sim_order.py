"""A simulated order with Upbit's fields; `to_upbit()` renders the REST order object (decimal strings, KST)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from components.types.tick import fmt

KST = timezone(timedelta(hours=9))
BID, ASK = "bid", "ask"


_last_second: tuple[int, str] = (-1, "")   # (epoch second, its text): fills come in bursts within one second


def iso_kst(ts_ms: int, micro: bool = False) -> str:
    """Epoch ms -> Upbit's `created_at` (`2021-12-19T16:53:27+09:00`, trades with microseconds)."""
    global _last_second
    sec, ms = divmod(int(ts_ms), 1000)
    last = _last_second                   # one tuple read/write: safe when the local server's threads share it
    if last[0] != sec:
        last = _last_second = (sec, datetime.fromtimestamp(sec, tz=KST).isoformat(timespec="seconds")[:-6])
    return f"{last[1]}.{ms:03d}000+09:00" if micro else f"{last[1]}+09:00"


def uuid4_of(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))` for 128 random bits, without building the UUID object."""
    h = "%032x" % ((bits & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(slots=True, eq=False)
class SimOrder:
    """One order. `price` is the unit price (limit) or the KRW amount (`price`/`best` bids).

    Matching state (not in Upbit's object): `arrival_ms` (when latency lets it reach the book),
    `queue_ahead` (displayed volume in front at its price), `funds_left` (KRW still to spend for
    amount-based bids).
    """
    uuid: str
    market: str
    side: str
    ord_type: str
    price: float | None
    volume: float | None
    time_in_force: str | None
    identifier: str | None
    created_ms: int
    arrival_ms: int
    fee_rate: float
    state: str = "wait"
    executed_volume: float = 0.0
    executed_funds: float = 0.0
    paid_fee: float = 0.0
    reserved_fee: float = 0.0
    locked: float = 0.0
    funds_left: float = 0.0
    arrived: bool = False
    resting: bool = False
    queue_ahead: float = 0.0
    level_seen: float = -1.0          # displayed size at our price in the last snapshot (probabilistic queue)
    traded_at_level: float = 0.0      # print volume at our price since that snapshot
    trades: list = field(default_factory=list)

    @property
    def is_bid(self) -> bool:
        return self.side == BID

    @property
    def by_funds(self) -> bool:
        """Amount-based bid (`price` order or `best` bid): spends KRW instead of filling a volume."""
        return self.is_bid and self.ord_type in ("price", "best")

    @property
    def remaining_volume(self) -> float | None:
        if self.volume is None:
            return None
        return max(self.volume - self.executed_volume, 0.0)

    @property
    def remaining_fee(self) -> float:
        if self.state != "wait" or not self.is_bid:
            return 0.0
        if self.by_funds:
            return self.funds_left * self.fee_rate
        return (self.remaining_volume or 0.0) * (self.price or 0.0) * self.fee_rate

    @property
    def avg_price(self) -> float:
        return self.executed_funds / self.executed_volume if self.executed_volume > 0 else 0.0

    def to_upbit(self, trades: bool = False) -> dict:
        """Upbit REST order object (GET /v1/order shape; `trades=True` adds the trades list)."""
        d: dict = {"uuid": self.uuid, "side": self.side, "ord_type": self.ord_type}
        if not (self.ord_type == "market" or (self.ord_type == "best" and self.side == ASK)):
            d["price"] = fmt(self.price)          # no price key on market sells (real 2025 sample)
        d.update({
            "state": self.state, "market": self.market, "created_at": iso_kst(self.created_ms),
            "volume": fmt(self.volume), "remaining_volume": fmt(self.remaining_volume),
            "reserved_fee": fmt(self.reserved_fee), "remaining_fee": fmt(self.remaining_fee),
            "paid_fee": fmt(self.paid_fee), "locked": fmt(self.locked),
            "executed_volume": fmt(self.executed_volume), "executed_funds": fmt(self.executed_funds),
            "trades_count": len(self.trades), "time_in_force": self.time_in_force,
            "identifier": self.identifier, "smp_type": None, "prevented_volume": "0",
            "prevented_locked": "0",
        })
        if trades:
            d["trades"] = [dict(t) for t in self.trades]
        return d
