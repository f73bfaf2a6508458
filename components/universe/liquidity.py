"""liquidity universe: a daily filter on the previous UTC day's traded value and volatility (no look-ahead)."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from registry import Params, register

DAY_MS = 86_400_000      # Upbit's trading day starts 09:00 KST = 00:00 UTC


@register("universe", "liquidity")
class LiquidityUniverse:
    """Trade a market on day D only if on day D-1 it traded at least `min_value_krw_24h` and the standard
    deviation of its 1m log returns was inside [min_volatility_pct, max_volatility_pct]; keep the `top_k`
    by value. The first day of data has no previous day, so nothing is traded on it (conservative).
    Value = Σ value_krw of the bars, or volume x close where the data has no value column (stated, not hidden).
    """

    class Params(Params):
        markets: list[str] | None = Field(None, description="candidate markets; null = the root `markets` list")
        min_value_krw_24h: float = Field(5e9, ge=0, description="previous day's traded value, KRW")
        min_volatility_pct: float = Field(0.0, ge=0, description="previous day's stdev of 1m returns, percent")
        max_volatility_pct: float = Field(1.0, gt=0, description="upper end of the volatility band, percent")
        top_k: int | None = Field(None, ge=1, description="keep at most this many markets per day (by value)")

        @model_validator(mode="after")
        def _band(self):
            if self.max_volatility_pct <= self.min_volatility_pct:
                raise ValueError("max_volatility_pct must be above min_volatility_pct")
            return self

    def __init__(self, p: "LiquidityUniverse.Params") -> None:
        self.p = p
        self._allowed: dict[tuple[str, int], bool] | None = None
        self.daily: dict[tuple[str, int], tuple[float, float]] = {}

    def select(self, candidates: list[str], root_markets: list[str] | None = None,
               streams: Mapping[str, Any] | None = None, ts_ms: int | None = None) -> list[str]:
        wanted = self.p.markets if self.p.markets is not None else (root_markets or candidates)
        have = set(candidates)
        return sorted(m for m in wanted if m in have)

    def prepare(self, streams: Mapping[str, Any]) -> None:
        """Daily (value, volatility) per market from its candles; decides which markets trade the next day."""
        for m, s in streams.items():
            c = getattr(s, "candles", None)
            if c is None or len(c) == 0:
                continue
            day = (np.asarray(c.ts_ms, np.int64) + c.interval_s * 1000 - 1) // DAY_MS
            close = np.asarray(c.close, float)
            val = np.where(np.isfinite(c.value_krw), c.value_krw, c.volume * close)
            for d in np.unique(day):
                sel = day == d
                r = np.diff(np.log(close[sel]))
                vol = float(np.std(r) * 100) if len(r) > 1 else math.nan
                self.daily[(m, int(d))] = (float(val[sel].sum()), vol)
        allowed: dict[tuple[str, int], bool] = {}
        for d in sorted({d for _, d in self.daily}):
            passing = [(v, m) for (m, dd), (v, vol) in self.daily.items() if dd == d
                       and v >= self.p.min_value_krw_24h and math.isfinite(vol)
                       and self.p.min_volatility_pct <= vol <= self.p.max_volatility_pct]
            passing.sort(reverse=True)
            keep = {m for _, m in passing[: self.p.top_k or len(passing)]}
            for m in streams:
                allowed[(m, d + 1)] = m in keep
        self._allowed = allowed

    def allows(self, market: str, ts_ms: int) -> bool:
        """May `market` be entered at `ts_ms`? (True before `prepare`: nothing known, nothing filtered.)"""
        if self._allowed is None:
            return True
        return self._allowed.get((market, int(ts_ms) // DAY_MS), False)
