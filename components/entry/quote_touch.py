"""quote_touch entry: one passive post-only order per market at the touch, buy at the bid while flat, sell at the ask while long."""
from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from components.types.entry import EntryContext, EntryVerdict
from components.types.quoting import HOLD, QuoteAction, QuoteContext
from registry import Params, register

_FLAT_VOLUME = 1e-12       # below this a position counts as flat (float dust after a full round trip)


@register("entry", "quote_touch")
class QuoteTouch:
    """Flat: bid `volume` at the best bid; long: ask the position at the best ask; requoted on the loop's timer."""

    # A quoting entry: the loop calls quote(ctx) every requote_interval_ms instead of decide(). Same side at a
    # new price -> replace; side change -> place (the order manager cancels the old quote); else hold.
    quoting = True

    class Params(Params):
        requote_interval_ms: int = Field(1000, gt=0, description="data time between two quote decisions per market")
        volume: float = Field(0.001, gt=0, description="bid size in coin units (asks sell the whole position)")
        markets: list[str] = Field(default_factory=list,
                                   description="markets to quote; empty = the first market of the run")

    def __init__(self, p: "QuoteTouch.Params") -> None:
        self.p = p

    def quoted_markets(self, run_markets: list[str]) -> list[str]:
        """The markets this entry quotes, among those the run trades."""
        if not self.p.markets:
            return list(run_markets[:1])
        return [m for m in self.p.markets if m in run_markets]

    def quote(self, ctx: QuoteContext) -> QuoteAction:
        bid, ask = ctx.best_bid, ctx.best_ask
        if not (math.isfinite(bid) and math.isfinite(ask)) or bid <= 0 or ask <= bid:
            return HOLD                              # no usable book yet: never quote blind
        long = ctx.position_volume > _FLAT_VOLUME
        side, price = ("ask", ask) if long else ("bid", bid)
        volume = ctx.position_volume if long else self.p.volume
        w = ctx.working
        if w is None or w.side != side:              # nothing resting, or the side flips: (cancel +) place
            return QuoteAction("place", side, price, volume, "quote.touch")
        if w.price == price:
            return HOLD
        return QuoteAction("replace", side, price, volume, "quote.touch")

    # The signal-driven path never enters: a quoting entry trades only through its timer.
    def fit(self, p_val: np.ndarray, ret_val: np.ndarray) -> "QuoteTouch":
        return self

    def decide(self, p: float, ctx: EntryContext | None = None) -> EntryVerdict:
        return EntryVerdict(False, math.nan, math.nan, "entry.quoting")

    def decide_many(self, p: np.ndarray, spread_frac=0.0, vol_regime=1.0) -> np.ndarray:
        return np.zeros(np.shape(p), dtype=bool)
