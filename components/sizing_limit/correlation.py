"""Correlation limit: refuse (or scale) an entry whose recent returns move with a market already held."""
from __future__ import annotations

import math
from collections import deque
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from components.sizing_limit.base import LimitVerdict, SizingLimit
from components.types.risk import SizingContext
from registry import Params, register


@register("sizing_limit", "correlation")
class Correlation(SizingLimit):
    """Rolling correlation of `interval_s` log returns over the last `window` intervals between the entry's market and
    each held one; above `max_corr` the entry is refused (action=refuse) or scaled by `factor` (action=scale).
    Prices are the decision prices the engine feeds it (last price per interval); under `min_returns` shared
    returns the pair is unknown and not limited."""

    class Params(Params):
        max_corr: float = Field(0.8, ge=-1, le=1, description="correlation above which an entry is limited")
        window: int = Field(120, ge=3, description="returns in the rolling window")
        interval_s: float = Field(60.0, gt=0, description="seconds per return (last price of each interval)")
        min_returns: int = Field(30, ge=3, description="fewer shared returns: the pair is not limited")
        action: Literal["refuse", "scale"] = Field("refuse", description="refuse the entry or scale it by factor")
        factor: float = Field(0.5, ge=0, le=1, description="size multiplier when action=scale")

        @model_validator(mode="after")
        def _enough(self):
            if self.min_returns > self.window:
                raise ValueError(f"min_returns ({self.min_returns}) must not exceed window ({self.window})")
            return self

    def __init__(self, p: "Correlation.Params") -> None:
        self.p = p
        self._last: dict[str, tuple[int, float]] = {}           # market -> (interval index, last price in it)
        self._closes: dict[str, deque] = {}                     # market -> (interval index, close) of past intervals

    def observe(self, market: str, ts_ms: int, price: float) -> None:
        if not (price > 0 and math.isfinite(price)):
            return
        k = int(ts_ms // int(self.p.interval_s * 1000))
        last = self._last.get(market)
        if last is not None and last[0] != k:                   # the previous interval closed at its last price
            self._closes.setdefault(market, deque(maxlen=self.p.window + 1)).append(last)
        self._last[market] = (k, float(price))

    def _returns(self, market: str) -> dict[int, float]:
        pts = list(self._closes.get(market, ()))
        if market in self._last:
            pts.append(self._last[market])
        return {k1: math.log(p1 / p0) for (k0, p0), (k1, p1) in zip(pts, pts[1:]) if k1 == k0 + 1}

    def correlation(self, a: str, b: str) -> float:
        """Pearson correlation of the two markets' shared interval returns (NaN: too few, or one is flat)."""
        ra, rb = self._returns(a), self._returns(b)
        keys = sorted(ra.keys() & rb.keys())[-self.p.window:]
        if len(keys) < self.p.min_returns:
            return math.nan
        x, y = np.array([ra[k] for k in keys]), np.array([rb[k] for k in keys])
        if x.std() == 0 or y.std() == 0:
            return math.nan
        return float(np.corrcoef(x, y)[0, 1])

    def limit(self, market: str, ctx: SizingContext, held: tuple[str, ...]) -> LimitVerdict:
        worst, with_ = -math.inf, ""
        for h in held:
            if h == market:
                continue
            c = self.correlation(market, h)
            if math.isfinite(c) and c > worst:
                worst, with_ = c, h
        if worst <= self.p.max_corr:
            return LimitVerdict()
        factor = 0.0 if self.p.action == "refuse" else self.p.factor
        return LimitVerdict(factor, f"correlation: {market}~{with_} {worst:.2f} > {self.p.max_corr:g}")
