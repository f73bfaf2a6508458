"""Bar fill model for candle-only data: through-the-price limit fills, volume participation, estimated spread."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.fill_model.base import FillModel, FillParams
from components.types.costs import BAR_SLIPPAGE_BPS, BAR_SPREAD_FLOOR_BPS
from registry import register


@register("fill_model", "bar")
class BarFill(FillModel):
    """Candle data (1m) has no book and no prints, so:
    - a resting limit fills only on a later bar that trades THROUGH its price (bid: low < price;
      ask: high > price), at its own price, at most `participation` x bar volume across our orders;
    - an order that arrives inside a bar gets the share of that bar's budget it was live for;
    - market/marketable orders fill at the last close +/- half the spread + `slippage_bps`
      (spread = Corwin-Schultz over `spread_window_bars` bars, floored at `spread_bps` and one tick)
      + the expected move during the order's latency (sqrt(2/pi) x Parkinson sigma_bar x sqrt(latency/bar));
    - a candle is only known at its close, so an order sent at a close can only fill in later bars.
    When book/trade events are present the queue rules apply as in queue_conservative (candles of such
    a market then never fill anything)."""

    class Params(FillParams):
        spread: Literal["corwin_schultz", "fixed"] = Field("corwin_schultz", description="spread source")
        spread_bps: float = Field(BAR_SPREAD_FLOOR_BPS, ge=0, description="full-spread floor in bps")
        slippage_bps: float = Field(BAR_SLIPPAGE_BPS, ge=0, description="extra adverse move on taker fills")

    def __init__(self, p: "BarFill.Params") -> None:
        super().__init__(p)
