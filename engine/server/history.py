"""REST history of the server: candles and recent trades from the replayed trades, paged like Upbit (§2.2-2.3)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
MONDAY_MS = 4 * DAY_MS            # 1970-01-05, the first Monday after the epoch (weeks start on Mondays)


def _utc(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc)


def bucket_start(ts_ms: int, unit: str, unit_s: int) -> int:
    """Open time of the candle holding `ts_ms`: seconds/minutes/days on UTC boundaries, weeks from Monday."""
    if unit == "weeks":
        return (ts_ms - MONDAY_MS) // WEEK_MS * WEEK_MS + MONDAY_MS
    step = unit_s * 1000
    return ts_ms // step * step


def _bars(hist, unit: str, unit_s: int, to_ms: int | None, want: int) -> dict[int, list]:
    """start -> [open, high, low, close, volume, value, last_ts] of the newest `want` candles opened before
    `to_ms`, walking the trades (time order) from the newest: it stops once `want` candles are complete."""
    bars: dict[int, list] = {}
    for t in reversed(hist):
        start = bucket_start(t.ts_ms, unit, unit_s)
        if to_ms is not None and start >= to_ms:
            continue
        b = bars.get(start)
        if b is None:
            if len(bars) == want:
                break                        # an older candle begins: the `want` newer ones are whole
            bars[start] = [t.price, t.price, t.price, t.price, t.volume, t.volume * t.price, t.ts_ms]
        else:
            b[0], b[1], b[2] = t.price, max(b[1], t.price), min(b[2], t.price)      # walking back: open moves
            b[4] += t.volume
            b[5] += t.volume * t.price
    return bars


def candles(market: str, hist, unit: str, unit_s: int, count: int, to_ms: int | None) -> list[dict]:
    """Up to `count` candles opened before `to_ms` (exclusive), newest first; only intervals with trades.

    A candle is never cut at `to`: it holds every trade of its interval. UNCERTAIN: what Upbit does with a
    `to` inside a candle (the docs say only "exclusive"); every pager here sends candle boundaries."""
    bars = _bars(hist, unit, unit_s, to_ms, count + 1)          # one more: the day before's close
    starts = sorted(bars, reverse=True)
    out = []
    for i, start in enumerate(starts[:count]):
        o, h, lo, c, v, val, last = bars[start]
        row = {"market": market, "candle_date_time_utc": _utc(start).strftime("%Y-%m-%dT%H:%M:%S"),
               "candle_date_time_kst": (_utc(start) + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M:%S"),
               "opening_price": o, "high_price": h, "low_price": lo, "trade_price": c, "timestamp": last,
               "candle_acc_trade_price": val, "candle_acc_trade_volume": v}
        if unit == "minutes":
            row["unit"] = unit_s // 60
        elif unit == "days":
            pc = bars[starts[i + 1]][3] if i + 1 < len(starts) else o
            row.update(prev_closing_price=pc, change_price=c - pc, change_rate=(c - pc) / pc if pc else 0.0)
        elif unit == "weeks":
            row["first_day_of_period"] = _utc(start).strftime("%Y-%m-%d")
        out.append(row)
    return out


def parse_time_of_day(text: str) -> int:
    """`HHmmss` or `HH:mm:ss` (UTC) -> ms since midnight; ValueError otherwise."""
    s = text.replace(":", "")
    if len(s) != 6 or not s.isdigit():
        raise ValueError(text)
    h, m, sec = int(s[:2]), int(s[2:4]), int(s[4:])
    if h > 23 or m > 59 or sec > 59:
        raise ValueError(text)
    return ((h * 60 + m) * 60 + sec) * 1000


def trades(hist, now_ms: int, count: int, cursor: int | None, to: str | None, days_ago: int | None) -> list:
    """Trades newest first. `days_ago` (1-7) picks the UTC day that many days before the server's today and
    `to` a time of day on it (exclusive); `cursor` continues below a `sequential_id`. With neither `to` nor
    `days_ago` the newest trades of any day come back (what a client's catch-up after a reconnect asks).
    UNCERTAIN: whether Upbit's `to` is exclusive and whether `cursor` is; callers drop repeated ids."""
    lo = hi = None
    if to is not None or days_ago is not None:
        day0 = now_ms // DAY_MS * DAY_MS - (days_ago or 0) * DAY_MS
        lo, hi = day0, day0 + DAY_MS
        if to is not None:
            hi = day0 + parse_time_of_day(to)
    rows = []
    for t in reversed(hist):
        if cursor is not None and t.seq >= cursor:
            continue
        if hi is not None and t.ts_ms >= hi:
            continue
        if lo is not None and t.ts_ms < lo:
            break                                   # history is in time order: nothing older is wanted
        rows.append(t)
        if len(rows) >= count:
            break
    return rows
