"""Volume dry-up: a market's recent traded value below min_ratio x its baseline rate -> no entries there."""
from __future__ import annotations

from bisect import bisect_right

from pydantic import Field, model_validator

from components.killswitch.base import MarketSwitch, MetricKeys, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import TRADED_KRW
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "volume_dryup")
class VolumeDryup(MarketSwitch):
    """Per market, from the cumulative counter traded_krw@market: recent = value traded in the last
    recent_s; baseline = value traded in the last baseline_s scaled to recent_s. Trip while
    recent / baseline < min_ratio (only once baseline_s of history exists)."""

    class Params(SwitchParams):
        min_ratio: float = Field(0.5, gt=0, lt=1, description="recent / baseline volume that trips")
        recent_s: float = Field(300.0, gt=0, description="recent window, seconds")
        baseline_s: float = Field(3600.0, gt=0, description="baseline window, seconds")
        sample_ms: int = Field(1000, ge=1, description="at most one counter sample per this many ms")

        @model_validator(mode="after")
        def _windows(self) -> "VolumeDryup.Params":
            if self.baseline_s <= self.recent_s:
                raise ValueError("baseline_s must be longer than recent_s")
            return self

    def __init__(self, p: "VolumeDryup.Params") -> None:
        super().__init__(p)
        # per market: parallel sample lists + head index (bisect lookups; trimmed in amortised O(1))
        self._hist: dict[str, tuple[list[int], list[float], list[int]]] = {}
        self._counter_keys = MetricKeys(TRADED_KRW)

    def on_params(self, p: "VolumeDryup.Params") -> None:
        # the parameters as plain numbers (this runs at every evaluation); the same arithmetic as written out
        self._baseline_ms, self._recent_ms = p.baseline_s * 1000, p.recent_s * 1000

    def check_market(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int, market: str) -> Trip | None:
        counter = metrics.get(self._counter_keys[market])
        if not finite(counter):
            return None
        got = self._hist.get(market)
        if got is None:                   # (setdefault would build three lists on every check)
            got = self._hist[market] = ([], [], [0])
        ts, val, head = got
        if len(ts) == head[0] or ts_ms - ts[-1] >= self.p.sample_ms:
            ts.append(ts_ms)
            val.append(counter)
        base_cut, recent_cut = ts_ms - self._baseline_ms, ts_ms - self._recent_ms
        # keep one sample at or before the baseline cut so the baseline spans the whole window
        head[0] = max(head[0], bisect_right(ts, base_cut, head[0]) - 1)
        if head[0] > 1024 and head[0] > len(ts) // 2:
            del ts[:head[0]], val[:head[0]]
            head[0] = 0
        h = head[0]
        if ts[h] > base_cut:
            return None                       # not yet baseline_s of history
        base = (counter - val[h]) * self.p.recent_s / self.p.baseline_s
        recent = counter - val[bisect_right(ts, recent_cut, h) - 1]
        if base > 0 and recent / base < self.p.min_ratio:
            return self._trip(market=market, ratio=recent / base, limit=self.p.min_ratio)
        return None
