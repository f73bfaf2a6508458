"""Shared fill-model parameters and behaviour: seeded latency, bar fills, the per-market bar spread state.
The spread floor, slippage and latency set here are read by the cost model (components/types/costs.py)."""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from components.types.bar_spread import BarStats
from components.types.costs import BOOK_SPREAD_FLOOR_BPS
from registry import Params


class FillParams(Params):
    """Latency and fallback pricing shared by every fill model (ms, bps = 1e-4 of price)."""
    order_latency_ms: float = Field(50.0, ge=0, description="order/cancel travel time to the matching engine (median for lognormal)")
    feed_latency_ms: float = Field(0.0, ge=0, description="market data delay: orders act on data this old, so it adds to arrival time")
    latency_dist: Literal["constant", "lognormal"] = Field("constant", description="order latency distribution")
    latency_sigma: float = Field(0.5, gt=0, le=3, description="lognormal sigma of the order latency")
    seed: int = Field(0, description="RNG seed of the latency draws (same seed -> same fills)")
    participation: float = Field(0.1, gt=0, le=1, description="max share of a bar's volume our resting orders may fill")
    spread: Literal["corwin_schultz", "fixed"] = Field("fixed", description="half-spread source when no book is known")
    spread_bps: float = Field(BOOK_SPREAD_FLOOR_BPS, ge=0, description="fixed full spread in bps (floor of the estimator too)")
    spread_window_bars: int = Field(20, ge=1, description="bars averaged by the Corwin-Schultz estimator")
    slippage_bps: float = Field(0.0, ge=0, description="extra adverse price move on taker fills without a book")
    queue_power: float = Field(0.0, ge=0, description="0 = risk-averse queue; >0 = probabilistic queue exponent")
    latency_adverse: bool = Field(True, description="without a book, takers also pay the expected price move during their latency")


class FillModel:
    """Decides WHEN orders reach the book and HOW MUCH fills; the exchange does prices and money."""

    def __init__(self, p: FillParams) -> None:
        self.p = p
        self.reseed()

    def reseed(self, run_seed: int | None = None) -> None:
        """Latency RNG from this model's `seed` and the run's seed (both change the draws)."""
        entropy = [self.p.seed] if run_seed is None else [int(run_seed), self.p.seed]
        self._rng = np.random.default_rng(np.random.SeedSequence(entropy))

    # ---- latency -------------------------------------------------------------------------------
    def _order_latency(self) -> float:
        m = self.p.order_latency_ms
        if self.p.latency_dist == "constant" or m <= 0:
            return m
        return float(m * math.exp(self.p.latency_sigma * self._rng.standard_normal()))

    def arrival_delay_ms(self) -> int:
        """New order: it was decided on data `feed_latency_ms` old and travels `order_latency_ms`."""
        return int(round(self.p.feed_latency_ms + self._order_latency()))

    def cancel_delay_ms(self) -> int:
        return int(round(self.p.feed_latency_ms + self._order_latency()))

    # ---- queue (passed to the kernels) ---------------------------------------------------------
    @property
    def queue_power(self) -> float:
        return self.p.queue_power

    # ---- bars ----------------------------------------------------------------------------------
    def new_spread_state(self) -> BarStats:
        return BarStats(self.p.spread_window_bars)

    def bar_fill(self, is_bid: bool, price: float, remaining: float, low: float, high: float,
                 budget: float) -> float:
        """A resting limit fills on a bar only if the bar traded THROUGH its price (not merely touched)."""
        through = low < price if is_bid else high > price
        if not through or budget <= 0:
            return 0.0
        return min(remaining, budget)

    def bar_budget(self, bar_volume: float) -> float:
        return self.p.participation * max(bar_volume, 0.0)

    def arrival_share(self, open_ms: int, close_ms: int, arrival_ms: int) -> float:
        """Share of a bar an order was live for (volume assumed uniform in time inside the bar)."""
        if arrival_ms <= open_ms:
            return 1.0
        return max(0.0, (close_ms - arrival_ms) / max(close_ms - open_ms, 1))
