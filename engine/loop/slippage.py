"""Execution quality of the loop: decision prices of orders, realised slippage per fill, limit-first/cap prices."""
from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from components.types import metric_names as MN
from components.types.tick import snap


def slippage_bps(side: str, decision_px: float, fill_px: float) -> float:
    """How much worse than the decision price a fill was, in bps (positive = worse: a buy above, a sell below)."""
    if not (decision_px > 0 and math.isfinite(decision_px)):
        return math.nan
    return (fill_px / decision_px - 1.0) * 1e4 if side == "bid" else (1.0 - fill_px / decision_px) * 1e4


def cap_price(side: str, decision_px: float, max_bps: float, tick: float) -> float:
    """The worst price a capped order may fill at, on the tick grid and never beyond the cap."""
    if side == "bid":
        return snap(decision_px * (1.0 + max_bps / 1e4), tick, "down")
    return snap(decision_px * (1.0 - max_bps / 1e4), tick, "up")


def touch_price(side: str, bid: float, ask: float, last: float, offset_ticks: int, tick: float) -> float:
    """Limit-first price: the own-side touch moved `offset_ticks` towards the other side, never crossing it
    (a crossing limit would take at once: that is the market fallback's job). NaN without any price."""
    own, other = (bid, ask) if side == "bid" else (ask, bid)
    if not math.isfinite(own):
        own = last
    if not math.isfinite(own) or own <= 0:
        return math.nan
    sign = 1 if side == "bid" else -1
    px = own + sign * offset_ticks * tick
    if math.isfinite(other) and other > 0:
        px = min(px, other - tick) if side == "bid" else max(px, other + tick)
    return snap(px, tick, "down" if side == "bid" else "up")


class SlippageBook:
    """Decision price of every order sent; each fill's slippage against it, the rolling p95 over the last
    `window` fills published as `slippage_p95_bps` (+ `slippage_fills`); counters for the summary."""

    def __init__(self, metrics: Any, window: int) -> None:
        self.metrics = metrics
        self.recent: deque = deque(maxlen=max(1, int(window)))
        self._by_ident: dict[str, tuple[str, float, Any]] = {}     # identifier -> (side, decision px, order)
        self._by_uuid: dict[str, tuple[str, float]] = {}
        self.all_bps: list[float] = []
        self.counts = {"limit_first": 0, "limit_first_filled": 0, "fallbacks": 0, "capped_orders": 0,
                       "capped_cancelled": 0}
        self.capped_volume = 0.0

    def sent(self, mo: Any, decision_px: float) -> None:
        if mo is not None and math.isfinite(decision_px) and decision_px > 0:
            self._by_ident[mo.intent.identifier or ""] = (mo.intent.side, decision_px, mo)

    def decision_of(self, order_uuid: str) -> tuple[str, float] | None:
        got = self._by_uuid.get(order_uuid)
        if got is None and self._by_ident:
            for ident, (side, px, mo) in list(self._by_ident.items()):
                if mo.uuid:                        # live: the uuid is known once the create is answered
                    self._by_uuid[mo.uuid] = (side, px)
                    del self._by_ident[ident]
            got = self._by_uuid.get(order_uuid)
        return got

    def on_fill(self, f: Any) -> float:
        """Record one fill's slippage (NaN when its order has no decision price, e.g. adopted at start)."""
        d = self.decision_of(f.order_uuid)
        if d is None:
            return math.nan
        bps = slippage_bps(d[0], d[1], float(f.price))
        if math.isfinite(bps):
            self.recent.append(bps)
            self.all_bps.append(bps)
            if self.metrics is None:           # an Execution without the loop's metrics (unit tests)
                return bps
            self.metrics.set(MN.SLIPPAGE_P95_BPS, float(np.percentile(np.asarray(self.recent), 95)))
            self.metrics.set(MN.SLIPPAGE_FILLS, len(self.recent))
        return bps

    def summary(self) -> dict:
        arr = np.asarray(self.all_bps)
        return {**self.counts, "capped_volume": self.capped_volume, "fills_measured": int(arr.size),
                "slippage_mean_bps": float(arr.mean()) if arr.size else math.nan,
                "slippage_p95_bps": float(np.percentile(arr, 95)) if arr.size else math.nan}
