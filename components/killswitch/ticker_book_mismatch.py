"""Ticker vs book mismatch: last trade price off the book mid by > max_gap_pct % -> no entries there."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import MarketSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import BOOK_MID_PRICE, LAST_TRADE_PRICE
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "ticker_book_mismatch")
class TickerBookMismatch(MarketSwitch):
    """Per market: trip while |last_trade_price - book_mid_price| / book_mid_price > max_gap_pct %
    (one of the two feeds is stale or wrong)."""

    reads_market = (LAST_TRADE_PRICE, BOOK_MID_PRICE)
    idle_without = (BOOK_MID_PRICE,)      # no book (candle feeds): nothing to compare the trades with

    class Params(SwitchParams):
        max_gap_pct: float = Field(0.5, gt=0, description="tolerated trade vs mid gap, percent")

    def check_market(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int, market: str) -> Trip | None:
        trade = metrics.get(self._key(LAST_TRADE_PRICE, market))
        mid = metrics.get(self._key(BOOK_MID_PRICE, market))
        if not (finite(trade) and finite(mid)) or mid <= 0:
            return None
        gap_pct = abs(trade - mid) / mid * 100.0
        if gap_pct > self.p.max_gap_pct:
            return self._trip(market=market, gap_pct=gap_pct, limit_pct=self.p.max_gap_pct)
        return None
