"""Rolling sim-vs-real PnL gap of a paper/live session, published as metric `sim_real_gap_pct`.

Definition: every fill is priced a second time the way the simulator prices it — a taker fill at the
touch of the last book at or before the fill's time (ask for a buy, bid for a sell), a maker fill at its
own limit price. Per closed round trip, sim net = real net + what the real fills paid beyond those
prices (same volumes, same fees). Over the last `window_trips` trips:

    sim_real_gap_pct = |sum(real net) - sum(sim net)| / max(|sum(sim net)|, sum(fees)) * 100

The floor at the trips' fees keeps a near-zero sim PnL from turning a one-won gap into an infinite
percentage: a gap as large as the fees the trips paid reads 100 %. In paper mode the fills are the
simulator's own, so the gap measures only what the fill model adds beyond the touch (latency moves,
deeper levels); live, it measures the real market's slippage against the backtest's assumption.
"""
from __future__ import annotations

import bisect
import math
from collections import deque
from typing import Any

from components.types.events import BOOK
from components.types.metric_names import SIM_REAL_GAP_PCT

WINDOW_TRIPS = 20
BOOK_HISTORY = 4096          # book touches kept per market (fills are booked within seconds of their time)


class SimGapMonitor:
    """Watches the loop's books, fills and closed trips; publishes `sim_real_gap_pct` after each closed trip."""

    def __init__(self, metrics: Any, window_trips: int = WINDOW_TRIPS) -> None:
        self.metrics = metrics
        self.touch: dict[str, tuple[deque, deque]] = {}     # market -> (ts_ms, (bid, ask))
        self.open_gap_krw: dict[str, float] = {}
        self.trips: deque = deque(maxlen=window_trips)      # (real net, sim net, fees)
        self.fill_gaps_bps: deque = deque(maxlen=1000)
        self.gap_pct = math.nan

    @classmethod
    def attach(cls, loop: Any, window_trips: int = WINDOW_TRIPS) -> "SimGapMonitor":
        """Hook the loop's event entry and its recorder's fill/position rows (the rows stay as they were)."""
        mon = cls(loop.metrics, window_trips)
        on_event, rec = loop.on_event, loop.recorder
        fill, position = rec.fill, rec.position

        def watched(ev: Any) -> Any:
            mon.observe(ev)
            return on_event(ev)

        def on_fill(f: Any) -> None:
            mon.on_fill(f)
            fill(f)

        def on_position(pos: Any, ts: int, closed: bool = False, trade: dict | None = None) -> None:
            if closed and trade is not None:
                mon.on_trip(trade)
            position(pos, ts, closed=closed, trade=trade)
        loop.on_event, rec.fill, rec.position = watched, on_fill, on_position
        return mon

    def observe(self, ev: Any) -> None:
        if getattr(ev, "kind", None) != BOOK:
            return
        b, a = float(ev.bid_px[0]), float(ev.ask_px[0])
        if not (b > 0 and a > b):
            return
        ts, px = self.touch.setdefault(ev.market, (deque(maxlen=BOOK_HISTORY), deque(maxlen=BOOK_HISTORY)))
        ts.append(int(ev.ts_ms))
        px.append((b, a))

    def sim_price(self, f: Any) -> float:
        """The simulator's price for this fill (NaN when no book was seen before it)."""
        if getattr(f, "maker", False):
            return float(f.price)
        hist = self.touch.get(f.market)
        if not hist:
            return math.nan
        i = bisect.bisect_right(hist[0], int(f.ts_ms)) - 1
        b, a = hist[1][max(i, 0)]
        return a if f.side == "bid" else b

    def on_fill(self, f: Any) -> None:
        ref = self.sim_price(f)
        if not (ref > 0):
            return
        worse = (f.price - ref) if f.side == "bid" else (ref - f.price)       # > 0: real paid more than sim
        self.open_gap_krw[f.market] = self.open_gap_krw.get(f.market, 0.0) + worse * f.volume
        self.fill_gaps_bps.append(1e4 * worse / ref)

    def on_trip(self, trade: dict) -> None:
        real = float(trade.get("net_krw", 0.0))
        sim = real + self.open_gap_krw.pop(trade.get("market"), 0.0)
        self.trips.append((real, sim, float(trade.get("fees_krw", 0.0))))
        self.gap_pct = gap_pct([t[0] for t in self.trips], [t[1] for t in self.trips], [t[2] for t in self.trips])
        if math.isfinite(self.gap_pct):
            self.metrics.set(SIM_REAL_GAP_PCT, self.gap_pct)


def gap_pct(real_net: list[float], sim_net: list[float], fees: list[float]) -> float:
    """|sum real - sum sim| / max(|sum sim|, sum fees) * 100 (NaN without trips or scale)."""
    r, s, f = sum(real_net), sum(sim_net), sum(fees)
    scale = max(abs(s), f)
    return 100.0 * abs(r - s) / scale if real_net and scale > 0 else math.nan
