"""Page Upbit history backwards with `to`/`count` (candles) or `days_ago`/`to`/`cursor` (trades) through the
client's rate limiter: 429 waits for the limiter's backoff, 418 stops at once, a bad page names its endpoint."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from components.types.upbit import errors as E
from engine.download.files import Target
from engine.download.pages import MalformedPage, candle_rows, trade_rows
from engine.download.units import CANDLE_PAGE, DAY_MS, TRADE_PAGE, Unit


class Budget(Exception):
    """The page budget (download.max_pages) is spent: stop cleanly, a re-run continues."""


class DownloadFailed(Exception):
    """The exchange refused or kept failing; the message names the endpoint and the market."""


@dataclass
class Counters:
    """What the run did, for the closing report."""
    pages: int = 0
    rows: int = 0
    backoffs_429: int = 0
    retries: int = 0


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


class Pager:
    """Sends pages for one run: a shared page budget, bounded retries, a progress callback per page."""

    def __init__(self, rest, counters: Counters, max_pages: int = 0, max_429: int = 12, max_retries: int = 4,
                 on_page=None) -> None:
        self.rest, self.c = rest, counters
        self.max_pages, self.max_429, self.max_retries = max_pages, max_429, max_retries
        self.on_page = on_page or (lambda: None)

    async def get(self, endpoint: str, call):
        """One page: the limiter paces it; 429 -> the limiter's backoff (group paused), then again."""
        if self.max_pages and self.c.pages >= self.max_pages:
            raise Budget()
        strikes = tries = 0
        while True:
            try:
                page = await call()
            except E.RateLimited:
                self.c.backoffs_429 += 1
                strikes += 1
                if strikes > self.max_429:
                    raise DownloadFailed(f"{endpoint}: still 429 after {self.max_429} backoffs") from None
                continue                   # acquire() waits out the pause on_429 set for the group
            except E.Blocked as e:         # 418: never call into a block
                raise DownloadFailed(f"{endpoint}: blocked by the exchange (418): {e.message}") from None
            except E.MalformedResponse as e:
                raise MalformedPage(endpoint, e.message) from None
            except (E.RequestTimeout, E.ServerError) as e:
                tries += 1
                self.c.retries += 1
                if tries > self.max_retries:
                    raise DownloadFailed(f"{endpoint}: {e}") from None
                await asyncio.sleep(min(8.0, 0.5 * 2 ** (tries - 1)))
                continue
            except E.UpbitError as e:
                raise DownloadFailed(f"{endpoint}: {e}") from None
            self.c.pages += 1
            self.on_page()
            return page


async def candles(pager: Pager, target: Target, unit: Unit, market: str, lo: int, hi: int) -> None:
    """Fill [lo, hi) (candle boundaries) newest page first; each page's span is recorded once written."""
    minutes = unit.interval_s // 60 if unit.name.startswith("minutes") else 0
    kind = "minutes" if minutes else unit.name
    endpoint = f"GET {unit.path} ({market})"
    to = hi
    while to > lo:
        page = await pager.get(endpoint, lambda: pager.rest.candles(market, kind, minutes or 1, CANDLE_PAGE, iso(to)))
        rows = candle_rows(endpoint, market, page)
        if any(r[0] >= to for r in rows):
            raise MalformedPage(endpoint, f"a candle at or after to={iso(to)} (pages must move back in time)")
        oldest = min((r[0] for r in rows), default=lo)
        done = len(rows) < CANDLE_PAGE or oldest <= lo      # a short page: the source has nothing older
        covered = lo if done else oldest
        target.append([r for r in rows if lo <= r[0] < to], covered, to)
        pager.c.rows += sum(1 for r in rows if lo <= r[0] < to)
        to = covered


async def newest_second(pager: Pager, market: str) -> int | None:
    """Open time of the exchange's newest seconds candle: the "now" its 3-month retention counts from."""
    endpoint = f"GET /v1/candles/seconds ({market})"
    rows = candle_rows(endpoint, market, await pager.get(endpoint, lambda: pager.rest.candles(market, "seconds",
                                                                                              1, 1)))
    return rows[0][0] if rows else None


async def trade_day0(pager: Pager, market: str) -> int:
    """The exchange's UTC day (ms of its midnight), from its newest trade: `days_ago` counts from there.
    UNCERTAIN: a market without a trade yet today makes this yesterday (then days_ago is off by one)."""
    endpoint = f"GET /v1/trades/ticks ({market})"
    rows = trade_rows(endpoint, market, await pager.get(endpoint, lambda: pager.rest.trades_ticks(market, 1)))
    return (rows[0][0] // DAY_MS * DAY_MS) if rows else int(time.time() * 1000) // DAY_MS * DAY_MS


async def trades(pager: Pager, target: Target, market: str, lo: int, hi: int, day0: int) -> None:
    """Fill [lo, hi) one UTC day at a time, newest first: `days_ago` picks the day, `to` (HH:mm:ss) where to
    start in it, then `cursor` (the oldest sequential_id so far) walks back. Spans stop at whole seconds
    (`to` has second resolution), so a resumed walk re-reads at most a second; repeated ids are dropped."""
    endpoint = f"GET /v1/trades/ticks ({market})"
    while hi > lo:
        d = (hi - 1) // DAY_MS * DAY_MS
        day_lo, days_ago = max(lo, d), (day0 - d) // DAY_MS
        to = None if hi >= d + DAY_MS else time.strftime("%H:%M:%S", time.gmtime(hi // 1000))
        cursor, top = None, hi
        while True:
            page = await pager.get(endpoint, lambda: pager.rest.trades_ticks(
                market, TRADE_PAGE, to=to if cursor is None else None, cursor=cursor,
                days_ago=days_ago or None))
            rows = trade_rows(endpoint, market, page)
            keep = [r for r in rows if day_lo <= r[0] < hi]
            oldest = min((r[0] for r in rows), default=day_lo)
            done = len(rows) < TRADE_PAGE or oldest < day_lo
            covered = day_lo if done else min(top, (oldest // 1000 + 1) * 1000)
            target.append(keep, covered, top)
            pager.c.rows += len(keep)
            top = min(top, covered)
            if done:
                break
            nxt = min(r[4] for r in rows)
            if cursor is not None and nxt >= cursor:
                raise MalformedPage(endpoint, f"cursor={cursor} did not move back (oldest id {nxt})")
            cursor = nxt
        hi = day_lo
