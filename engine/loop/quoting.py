"""The loop side of passive quoting: a data-time timer that asks a quoting entry for its action and sends it."""
from __future__ import annotations

from typing import Any

from components.types.orders import OrderIntent
from components.types.quoting import QuoteContext


class QuoteTimer:
    """Every `requote_interval_ms` of data time, per quoted market: QuoteContext -> entry.quote -> order manager."""

    # One grid from the first event; a timer fires BEFORE the event that crosses its grid point (ahead of the
    # loop's market data), so the strategy sees the touch as it was at that instant, as the peers' timers do.

    def __init__(self, loop: Any, entry: Any) -> None:
        self.loop, self.entry = loop, entry
        self.interval_ms = int(entry.p.requote_interval_ms)
        self.markets = entry.quoted_markets(list(loop.markets))
        self.next_ms: int | None = None
        self.ticks = 0

    def on_event(self, ev: Any, ts_ms: int) -> None:
        """Call first thing for every event, before the loop's market data sees it: fire the timers due."""
        self.fire_due(ts_ms)

    def fire_due(self, ts_ms: int) -> None:
        """Fire every timer due at data time `ts_ms` (the first call starts the grid)."""
        if self.next_ms is None:
            self.next_ms = ts_ms + self.interval_ms
        while ts_ms >= self.next_ms:
            self._tick(self.next_ms)
            self.next_ms += self.interval_ms

    def _tick(self, ts: int) -> None:
        self.ticks += 1
        loop, om, md = self.loop, self.loop.om, self.loop.md
        for m in self.markets:
            ctx = QuoteContext(m, ts, md.best_bid[m], md.best_ask[m], loop.positions[m].volume, om.working_quote(m))
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
