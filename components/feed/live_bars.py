"""Bars for the live feed: REST candle history at start (warm-up), then bars built from the trade stream."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from calendar import timegm
from collections.abc import AsyncIterator
from time import strptime

from components.types.bars import BarBuilder
from components.types.events import Candle, Trade

log = logging.getLogger("scalp.feed")
PAGE = 200                                  # Upbit's candle `count` maximum (UPBIT_API.md §2.2)
MINUTES = (1, 3, 5, 10, 15, 30, 60, 240)    # /v1/candles/minutes/{unit}


def rest_unit(interval_s: int) -> tuple[str, int] | None:
    """(candles endpoint unit, minutes) that serves bars of `interval_s`, or None (no such REST candle)."""
    if interval_s == 1:
        return "seconds", 1
    if interval_s % 60 == 0 and interval_s // 60 in MINUTES:
        return "minutes", interval_s // 60
    return None


def candle_of(row: dict, market: str, interval_s: int) -> tuple[Candle, int]:
    """A REST candle row -> (Candle opened at `candle_date_time_utc`, ms of its last trade)."""
    open_ms = timegm(strptime(str(row["candle_date_time_utc"])[:19], "%Y-%m-%dT%H:%M:%S")) * 1000
    value = row.get("candle_acc_trade_price")
    c = Candle(market, open_ms, float(row["opening_price"]), float(row["high_price"]), float(row["low_price"]),
               float(row["trade_price"]), float(row["candle_acc_trade_volume"]),
               float(value) if value is not None else float("nan"), interval_s, warmup=True)
    return c, int(row.get("timestamp") or open_ms)


async def history(rest, market: str, interval_s: int, bars: int) -> list[tuple[Candle, int]]:
    """The newest `bars` candles of one market, oldest first (paged back with `to` = the oldest open)."""
    unit, minutes = rest_unit(interval_s) or (None, 0)
    if unit is None or bars <= 0:
        return []
    got: dict[int, tuple[Candle, int]] = {}
    to = None
    while len(got) < bars:
        rows = await rest.candles(market, unit=unit, minutes=minutes, count=min(PAGE, bars - len(got)), to=to)
        if not rows:
            break
        parsed = [candle_of(r, market, interval_s) for r in rows]
        before = len(got)
        for c, last in parsed:
            got.setdefault(c.ts_ms, (c, last))
        if len(got) == before or len(rows) < min(PAGE, bars):
            break
        to = min(parsed, key=lambda x: x[0].ts_ms)[0]
        to = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(to.ts_ms / 1000))
    return [got[k] for k in sorted(got)][-bars:]


async def warm_up(rest, markets: list[str], builders: list[BarBuilder], bars: int) -> list[Candle]:
    """History candles to deliver before live data, in close-time order. The newest REST candle of each market
    may still be open: it seeds the builder (live trades continue it), so the seam has no duplicate bar."""
    out: list[Candle] = []
    for b in builders:
        for m in markets:
            try:
                rows = await history(rest, m, b.interval_s, bars + 1)
            except Exception as e:  # noqa: BLE001  one market's refusal (unknown code, 4xx) must not cost the rest
                log.warning(json.dumps({"event": "feed_warmup_failed", "market": m, "error": repr(e)}))
                continue
            if not rows:
                continue
            *done, (newest, last_ms) = rows
            out.extend(c for c, _ in done)
            b.seed(newest, last_ms)
    out.sort(key=lambda c: (c.close_ms, c.interval_s, c.market))
    return out


class Prefetch:
    """Reads `source` from now on into a buffer, handed out when iterated: the stream is subscribed before the
    REST warm-up, so no trade between the newest REST candle and the first live event is lost (the seeded
    builder drops the ones the candle already holds)."""

    _END = object()

    def __init__(self, source: AsyncIterator, max_events: int = 200_000) -> None:
        self.q: asyncio.Queue = asyncio.Queue(maxsize=max_events)
        self.task = asyncio.create_task(self._pump(source))

    async def _pump(self, source: AsyncIterator) -> None:
        try:
            async for ev in source:
                await self.q.put(ev)
        except asyncio.CancelledError:
            return
        except Exception as e:  # noqa: BLE001  raised in the reader's frame, in stream order
            await self.q.put(e)
        await self.q.put(self._END)

    def __aiter__(self) -> "Prefetch":
        return self

    async def __anext__(self):
        ev = await self.q.get()
        if ev is self._END:
            raise StopAsyncIteration
        if isinstance(ev, Exception):
            raise ev
        return ev

    async def aclose(self) -> None:
        self.task.cancel()
        try:
            await self.task
        except BaseException:  # noqa: BLE001  the pump's own cancellation
            pass


class _Clock:
    """Exchange time estimated from the newest event stamp plus the wall time since it arrived (a replaying
    server's clock may run faster than the wall: then bars close on event stamps, never early)."""

    def __init__(self) -> None:
        self.ms: int | None = None
        self.at = 0.0

    def see(self, ts_ms: int) -> None:
        if self.ms is None or ts_ms >= self.ms:
            self.ms, self.at = ts_ms, time.monotonic()

    def now(self) -> int | None:
        return None if self.ms is None else self.ms + int((time.monotonic() - self.at) * 1000)


async def with_bars(source: AsyncIterator, builders: list[BarBuilder], tick_s: float = 0.5) -> AsyncIterator:
    """Pass `source`'s events through, inserting each completed bar before the event that completed it, and
    bars closed by the clock while the stream is quiet (checked every `tick_s`)."""
    q: asyncio.Queue = asyncio.Queue(maxsize=10_000)
    end = object()

    async def pump() -> None:
        try:
            async for ev in source:
                await q.put(ev)
        except asyncio.CancelledError:     # the consumer is gone: nobody reads an end marker (and a full
            return                         # queue would block this task, and the consumer's close, forever)
        except Exception as e:  # noqa: BLE001  handed to the consumer, which raises it in its own frame
            await q.put(e)
        await q.put(end)

    clock = _Clock()
    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                ev = await asyncio.wait_for(q.get(), tick_s)
            except asyncio.TimeoutError:
                ev = None
            if ev is end:
                return
            if isinstance(ev, Exception):
                raise ev
            ts = getattr(ev, "ts_ms", None)
            if isinstance(ts, int):
                clock.see(ts)
            now = clock.now()
            if now is not None:
                for b in builders:
                    for c in b.on_clock(now):
                        yield c
            if isinstance(ev, Trade):
                for b in builders:
                    for c in b.on_trade(ev):
                        yield c
            elif isinstance(ts, int) and getattr(ev, "market", None):     # a book past the bar's end closes it too
                for b in builders:
                    for c in b.on_time(ev.market, ts):
                        yield c
            if ev is not None:
                yield ev
    finally:
        task.cancel()
        try:
            await task
        except BaseException:  # noqa: BLE001  the pump's own cancellation
            pass
        late = sum(b.late for b in builders)
        if late:
            log.info("feed bars: %d late trades left out of closed bars", late)
