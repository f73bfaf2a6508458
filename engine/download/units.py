"""What `scalp data download` can fetch: Upbit candle units and recent trades, their REST paths and folders."""
from __future__ import annotations

from dataclasses import dataclass

MINUTES = (1, 3, 5, 10, 15, 30, 60, 240)
DAY_MS = 86_400_000
TRADES_DAYS = 7            # /v1/trades/ticks reaches back `days_ago` 1..7 days (UPBIT_API.md §2.3)
SECONDS_DAYS = 90          # seconds candles: "the last 3 months" (docs); 90 days is our reading of it
CANDLE_PAGE = 200          # max `count` of a candles page (§2.2)
TRADE_PAGE = 500           # max `count` of a trades page (§2.3)


@dataclass(frozen=True)
class Unit:
    """One kind of history: its name on the command line, REST path, length and folder in the data layout."""
    name: str
    path: str
    interval_s: int          # 0 for trades
    folder: str

    @property
    def is_trades(self) -> bool:
        return self.interval_s == 0

    def file_name(self, market: str) -> str:
        return f"trades_{market}.csv.gz" if self.is_trades else f"{market}.csv.gz"


def _folder(interval_s: int) -> str:
    """`candles_1m`, `candles_1h`, `candles_4h`, `candles_1d`: the names the feed's layout scan reads."""
    for suffix, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if interval_s % size == 0:
            return f"candles_{interval_s // size}{suffix}"
    return f"candles_{interval_s}s"


UNITS: dict[str, Unit] = {"seconds": Unit("seconds", "/v1/candles/seconds", 1, _folder(1))}
for _m in MINUTES:
    UNITS[f"minutes{_m}"] = Unit(f"minutes{_m}", f"/v1/candles/minutes/{_m}", _m * 60, _folder(_m * 60))
UNITS["days"] = Unit("days", "/v1/candles/days", 86400, _folder(86400))
UNITS["trades"] = Unit("trades", "/v1/trades/ticks", 0, "trades")


def parse_units(names: list[str]) -> list[Unit]:
    """Unit names -> Units, in the order given; ValueError names the unknown ones and the known."""
    bad = [n for n in names if n not in UNITS]
    if bad:
        raise ValueError(f"{bad}; known: {', '.join(UNITS)}")
    return [UNITS[n] for n in dict.fromkeys(names)]


def align_range(unit: Unit, start_ms: int, end_ms: int, now_ms: int) -> tuple[int, int]:
    """The range a unit can be complete for: candle boundaries, never past the last finished candle (the
    candle still open at `now` would be stored half-built) and, for trades, never past `now`."""
    if unit.is_trades:
        return start_ms, min(end_ms, now_ms)
    step = unit.interval_s * 1000
    lo = -(-start_ms // step) * step        # candles opened at or after start (the feed clip rule)
    hi = min(-(-end_ms // step) * step, now_ms // step * step)
    return lo, hi
