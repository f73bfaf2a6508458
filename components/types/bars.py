"""Time bars from a live trade stream with the recorded candles' rule: OHLCV + value over [t, t + interval)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from components.types.events import Candle, Trade


@dataclass(slots=True)
class _Open:
    """The bar being built for one market; `seen_ms`: trades at or before it are already in (seeded bar)."""
    start_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    value_krw: float
    seen_ms: int = -1


class BarBuilder:
    """Bars of one interval for any number of markets, fed trade by trade.

    Same rule as Upbit candles (and the recorded ones): a bar covers [start, start + interval) in UTC
    epoch time, OHLC of the trade prices in arrival order, volume and value (price x volume) summed; an
    interval without trades has no bar. A bar is emitted when a trade of a later interval arrives, or when
    the exchange clock passes its end + `grace_ms` (quiet markets still close bars). A trade that arrives
    for an interval already emitted is `late`: counted, never folded into a later bar."""

    def __init__(self, interval_s: int, grace_ms: int = 2000) -> None:
        if interval_s < 1:
            raise ValueError("interval_s must be >= 1")
        self.interval_s = int(interval_s)
        self.interval_ms = self.interval_s * 1000
        self.grace_ms = int(grace_ms)
        self.open: dict[str, _Open] = {}
        self.closed_until: dict[str, int] = {}     # market -> end of the last emitted bar
        self.late = 0
        self.invalid = 0

    def _bar(self, market: str, b: _Open) -> Candle:
        return Candle(market, b.start_ms, b.open, b.high, b.low, b.close, b.volume, b.value_krw, self.interval_s)

    def on_trade(self, t: Trade) -> list[Candle]:
        """Fold one trade in; returns the bar it completed (emit before the trade itself), if any."""
        if not (math.isfinite(t.price) and math.isfinite(t.volume)) or t.price <= 0 or t.volume < 0:
            self.invalid += 1
            return []
        start = t.ts_ms // self.interval_ms * self.interval_ms
        b = self.open.get(t.market)
        if start < self.closed_until.get(t.market, -1) or (b is not None and start < b.start_ms):
            self.late += 1
            return []
        out: list[Candle] = []
        if b is not None and start > b.start_ms:
            out.append(self._emit(t.market))
            b = None
        if b is None:
            self.open[t.market] = _Open(start, t.price, t.price, t.price, t.price, t.volume, t.price * t.volume)
        elif t.ts_ms > b.seen_ms:
            b.high, b.low, b.close = max(b.high, t.price), min(b.low, t.price), t.price
            b.volume += t.volume
            b.value_krw += t.price * t.volume
        return out

    def _emit(self, market: str) -> Candle:
        b = self.open.pop(market)
        self.closed_until[market] = b.start_ms + self.interval_ms
        return self._bar(market, b)

    def on_time(self, market: str, ts_ms: int) -> list[Candle]:
        """Any event of `market` stamped at or after its open bar's end closes that bar (emit it before the
        event): the bar is then where a replay of the recorded candle puts it, at its close."""
        b = self.open.get(market)
        if b is None or ts_ms < b.start_ms + self.interval_ms:
            return []
        return [self._emit(market)]

    def on_clock(self, now_ms: int) -> list[Candle]:
        """Bars whose end + grace has passed on the exchange clock `now_ms`, oldest first."""
        due = [m for m, b in self.open.items() if b.start_ms + self.interval_ms + self.grace_ms <= now_ms]
        return sorted((self._emit(m) for m in due), key=lambda c: (c.ts_ms, c.market))

    def next_due_ms(self) -> int | None:
        """Exchange time at which the earliest open bar closes by the clock (None: no open bar)."""
        if not self.open:
            return None
        return min(b.start_ms for b in self.open.values()) + self.interval_ms + self.grace_ms

    def seed(self, c: Candle, last_trade_ms: int) -> None:
        """Continue from a bar the exchange already aggregated (the newest REST candle, maybe still open):
        trades stamped at or before `last_trade_ms` are in it already and are not counted twice."""
        if c.interval_s != self.interval_s:
            raise ValueError(f"seed: a {c.interval_s}s candle for {self.interval_s}s bars")
        self.closed_until[c.market] = c.ts_ms
        self.open[c.market] = _Open(c.ts_ms, c.open, c.high, c.low, c.close, c.volume,
                                    c.value_krw if math.isfinite(c.value_krw) else c.close * c.volume,
                                    last_trade_ms)

    def mark_closed(self, market: str, end_ms: int) -> None:
        """History up to `end_ms` was delivered elsewhere (REST backfill): never build a bar before it."""
        self.closed_until[market] = max(self.closed_until.get(market, end_ms), end_ms)

    def flush(self) -> list[Candle]:
        """Every open bar, as it stands (end of a finite stream)."""
        return sorted((self._emit(m) for m in list(self.open)), key=lambda c: (c.ts_ms, c.market))
