"""One download run: check the markets, work out what is missing per market and unit, page it in, merge the
files and measure them (rows, duplicates dropped, the source's quiet intervals, what is still missing)."""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


from engine.download import fetch
from engine.download.files import Target, holes
from engine.download.units import CANDLE_PAGE, DAY_MS, SECONDS_DAYS, TRADES_DAYS, Unit, align_range


class UnknownMarkets(Exception):
    """Markets the exchange does not list (a typo or a delisted code)."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown, self.known = unknown, known


@dataclass
class Plan:
    """One market and unit: the range it can be complete for, and the holes still to fetch."""
    market: str
    unit: Unit
    lo: int
    hi: int
    target: Target
    todo: list[tuple[int, int]]
    unreachable: tuple[int, int] | None = None    # older than the endpoint serves (trades 7 d, seconds 90 d)
    day0: int | None = None                       # trades: the exchange's UTC day (days_ago counts from it)

    def pages(self) -> int:
        if self.unit.is_trades:
            return sum(max(1, math.ceil((b - a) / DAY_MS)) for a, b in self.todo)
        return sum(math.ceil((b - a) / (self.unit.interval_s * 1000 * CANDLE_PAGE)) for a, b in self.todo)


@dataclass
class Result:
    """The closing report of a run."""
    rows: list[dict] = field(default_factory=list)
    counters: fetch.Counters = field(default_factory=fetch.Counters)
    stopped: str = ""            # "" complete | "budget" (download.max_pages)
    seconds: float = 0.0


def quiet_intervals(path: Path, unit: Unit, spans: list[list[int]]) -> int:
    """Candle intervals without a candle inside the fetched spans: Upbit sends none when nothing traded."""
    if unit.is_trades or not path.exists():
        return 0
    from components.types.feed.loaders import load_candles
    ts = load_candles(path, interval_s=unit.interval_s).ts_ms
    step = unit.interval_s * 1000
    expected = sum((b - a) // step for a, b in spans)
    inside = sum(int(((ts >= a) & (ts < b)).sum()) for a, b in spans)
    return int(max(0, expected - inside))


async def _plans(pager, markets: list[str], units: list[Unit], out: Path, start_ms: int, end_ms: int) -> list[Plan]:
    now_ms = int(time.time() * 1000)
    plans = []
    for m in markets:
        day0 = None
        for u in units:
            lo, hi = align_range(u, start_ms, end_ms, now_ms)
            first = None
            if u.is_trades:
                day0 = await fetch.trade_day0(pager, m) if day0 is None else day0
                first = day0 - TRADES_DAYS * DAY_MS
            elif u.name == "seconds":
                newest = await fetch.newest_second(pager, m)
                first = newest - SECONDS_DAYS * DAY_MS if newest is not None else None
            unreachable = None
            if first is not None and lo < first:       # asked for, but the exchange no longer serves it
                unreachable, lo = (lo, min(first, hi)), min(first, hi)
            t = Target(out, u, m)
            plans.append(Plan(m, u, lo, hi, t, t.missing(lo, hi) if hi > lo else [], unreachable, day0))
    return plans


async def run(rest, markets: list[str], units: list[Unit], out: Path, start_ms: int, end_ms: int,
              max_pages: int = 0, progress: bool = True) -> Result:
    from tqdm import tqdm
    t0 = time.perf_counter()
    res = Result()
    bar = tqdm(total=0, file=sys.stderr, unit="page", disable=not progress, leave=False, dynamic_ncols=True)
    pager = fetch.Pager(rest, res.counters, max_pages, on_page=lambda: bar.update(1))
    plans: list[Plan] = []
    try:
        listed = {r.get("market") for r in await pager.get("GET /v1/market/all", rest.markets)
                  if isinstance(r, dict)}
        unknown = [m for m in markets if m not in listed]
        if unknown:
            raise UnknownMarkets(unknown, sorted(x for x in listed if x))
        plans = await _plans(pager, markets, units, out, start_ms, end_ms)
        bar.total = bar.n + sum(p.pages() for p in plans)
        bar.refresh()
        for i, p in enumerate(plans):
            bar.set_description(f"{p.market} {p.unit.name}")
            for a, b in reversed(p.todo):          # newest hole first, like the pages themselves
                if p.unit.is_trades:
                    await fetch.trades(pager, p.target, p.market, a, b, p.day0)
                else:
                    await fetch.candles(pager, p.target, p.unit, p.market, a, b)
            # quiet spans cost no pages: the estimate is an upper bound, corrected as each part ends
            bar.total = bar.n + sum(q.pages() for q in plans[i + 1:])
            bar.refresh()
    except fetch.Budget:
        res.stopped = "budget"
    finally:
        bar.close()
        for p in plans:                             # what was fetched is kept, whatever stopped the run
            merged = p.target.finish()
            fetched = [s for s in p.target.spans if s[1] > p.lo and s[0] < p.hi]
            fetched = [[max(a, p.lo), min(b, p.hi)] for a, b in fetched]
            res.rows.append({"market": p.market, "unit": p.unit.name, "file": str(p.target.path), **merged,
                             "start_ms": p.lo, "end_ms": p.hi,
                             "quiet": quiet_intervals(p.target.path, p.unit, fetched),
                             "missing": holes(p.lo, p.hi, p.target.spans) if p.hi > p.lo else [],
                             "unreachable": p.unreachable})
        res.seconds = time.perf_counter() - t0
    return res


def to_store(store, rows: list[dict]) -> int:
    """Insert every downloaded file into the store (rows it already holds are skipped); -> rows offered."""
    from components.types.feed.loaders import load_candles, load_trades
    from engine.download.units import UNITS
    n = 0
    for r in rows:
        path, unit = Path(r["file"]), UNITS[r["unit"]]
        if not path.exists():
            continue
        if unit.is_trades:
            b = load_trades(path, r["market"])
            store.insert_trades(b)
        else:
            b = load_candles(path, r["market"], unit.interval_s)
            store.insert_candles(b)
        n += len(b)
    return n

