"""Spread surge: a market's spread above max_ratio x its rolling median -> no entries on that market."""
from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque

from pydantic import Field

from components.killswitch.base import MarketSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import SPREAD_PCT
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "spread_surge")
class SpreadSurge(MarketSwitch):
    """Per market: keep spread_pct@market samples (one per sample_ms) over window_s; trip while the
    current spread > max_ratio x the median of the earlier samples (needs min_samples)."""

    idle_without = (SPREAD_PCT,)          # no spread published (candle feeds): no trip, no sample

    class Params(SwitchParams):
        max_ratio: float = Field(3.0, gt=1, description="current / median spread that trips")
        window_s: float = Field(600.0, gt=0, description="median window, seconds")
        sample_ms: int = Field(1000, ge=1, description="at most one sample per this many ms")
        min_samples: int = Field(30, ge=3, description="samples before the median is trusted")

    def __init__(self, p: "SpreadSurge.Params") -> None:
        super().__init__(p)
        # per market: samples in arrival order (expiry) and the same values kept sorted (O(1) median)
        self._hist: dict[str, tuple[deque[tuple[int, float]], list[float]]] = {}

    @staticmethod
    def _median(sorted_vals: list[float]) -> float:
        n = len(sorted_vals)
        mid = n // 2
        return sorted_vals[mid] if n % 2 else 0.5 * (sorted_vals[mid - 1] + sorted_vals[mid])

    def check_market(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int, market: str) -> Trip | None:
        spread = metrics.get(self._key(SPREAD_PCT, market))
        if not finite(spread):
            return None
        got = self._hist.get(market)
        if got is None:                   # (setdefault would build a deque and a list on every check)
            got = self._hist[market] = (deque(), [])
        hist, vals = got
        while hist and hist[0][0] < ts_ms - self.p.window_s * 1000:
            del vals[bisect_left(vals, hist.popleft()[1])]
        median = self._median(vals) if len(hist) >= self.p.min_samples else float("nan")
        if not hist or ts_ms - hist[-1][0] >= self.p.sample_ms:
            hist.append((ts_ms, spread))
            insort(vals, spread)
        if finite(median) and median > 0 and spread > self.p.max_ratio * median:
            return self._trip(market=market, ratio=spread / median, limit=self.p.max_ratio)
        return None
