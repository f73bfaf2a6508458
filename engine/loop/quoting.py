"""The loop side of passive quoting: a data-time timer that asks a quoting entry for its action and sends it."""
from __future__ import annotations

import math
from typing import Any

from components.types.events import BOOK
from components.types.orders import OrderIntent
from components.types.quoting import QuoteContext


class QuoteTimer:
    """Every `requote_interval_ms` of data time, per quoted market: QuoteContext -> entry.quote -> order manager."""

    # One grid from the first event; a timer fires BEFORE the event that crosses its grid point, so the strategy
    # sees the book as it was at that instant (as the event-driven peers' timers do).

    def __init__(self, loop: Any, entry: Any) -> None:
        self.loop, self.entry = loop, entry
        self.interval_ms = int(entry.p.requote_interval_ms)
        self.markets = entry.quoted_markets(list(loop.markets))
        self.book = {m: (math.nan, math.nan) for m in self.markets}
        self.next_ms: int | None = None
        self.ticks = 0

    def on_event(self, ev: Any, ts_ms: int) -> None:
        """Call first thing for every event: fire the timers due before it, then remember its touch."""
        if self.next_ms is None:
            self.next_ms = ts_ms + self.interval_ms
        while ts_ms >= self.next_ms:
            self._tick(self.next_ms)
            self.next_ms += self.interval_ms
        if ev.kind == BOOK and ev.market in self.book:
            self.book[ev.market] = (float(ev.bid_px[0]), float(ev.ask_px[0]))

    def _tick(self, ts: int) -> None:
        self.ticks += 1
        loop, om = self.loop, self.loop.om
        for m in self.markets:
            bid, ask = self.book[m]
            ctx = QuoteContext(m, ts, bid, ask, loop.positions[m].volume, om.working_quote(m))
            act = self.entry.quote(ctx)
            if act.kind == "hold":
                continue
            if act.kind == "cancel":
                om.cancel_quote(m, ts)
                continue
            send = om.replace_quote if act.kind == "replace" else om.place_quote
            mo, why = send(m, act, ts)
            if mo is None:
                loop.recorder.reject(OrderIntent(m, act.side, "limit", act.volume, act.price, "post_only",
                                                 act.reason), ts, why)
        loop.execution.collect_fills()
