"""The one cost model: fee per side, tick grid, minimum order, spread, slippage and latency cost (fractions of
price unless named `_krw`). Every module that prices a trade reads these numbers from here."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from components.types.tick import table_tick
from components.types.orders import MIN_ORDER_KRW

# Market facts and default assumptions. The configured values live in the `exchange` and `fill_model`
# nodes; these are their defaults, and nothing else in the project may define a fee or spread number.
UPBIT_FEE_RATE = 0.0005            # KRW markets, maker = taker, per fill (UPBIT_API.md §8.4)
BOOK_SPREAD_FLOOR_BPS = 5.0        # full spread assumed while a book-fed market has shown no book yet
BAR_SPREAD_FLOOR_BPS = 2.0         # floor of the Corwin-Schultz estimate on candle feeds
BAR_SLIPPAGE_BPS = 1.0             # extra adverse move of a taker fill when no book is known
_BPS = 1e-4
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# A price already on the grid must not be pushed a tick up by float noise in price / tick.
_GRID_NOISE = 1e-9
# Float products like 0.85 * 1e6 may land a hair under the integer; flooring KRW needs this tolerance.
_EPS_KRW = 1e-6


@dataclass(slots=True)
class _Observed:
    """What the market has shown so far (mutable; the configured assumptions around it are frozen)."""
    book: dict[str, float] = field(default_factory=dict)             # market -> quoted (ask-bid)/mid
    bar: dict[str, float] = field(default_factory=dict)              # market -> bar spread estimate
    vol: dict[str, tuple[float, int]] = field(default_factory=dict)  # market -> (sigma per bar, bar ms)
    ticks: dict[str, float] = field(default_factory=dict)            # market -> tick from the instruments


class UsesCosts:
    """Mixin of everything that prices a trade: `costs` is the Upbit default until `bind_costs` hands in the
    model the engine built from the configuration."""

    _costs: "CostModel | None" = None

    @property
    def costs(self) -> "CostModel":
        if self._costs is None:
            self._costs = CostModel()
        return self._costs

    def bind_costs(self, costs: "CostModel") -> None:
        self._costs = costs


@dataclass(frozen=True, slots=True)
class CostModel:
    """Fee per side, minimum order, tick grid, spread model, slippage and latency cost of one run.

    Spread of a market: the last quoted book spread when a book was seen; else the bar estimate fed by
    `observe_bar_spread` (Corwin-Schultz, when `spread_source` says so) floored at `spread_floor_frac`;
    else that floor. Never below one tick once a price is known, so candle feeds never price it at 0.
    A taker moves the price by half the spread; without a book it also pays `slippage_frac` and the
    latency cost, and the result is rounded up to the tick grid (tick rounding is a cost: 1 KRW on a
    180 KRW coin is 55 bps per side).
    """
    fee_rate: float = UPBIT_FEE_RATE
    min_order_krw: float = MIN_ORDER_KRW
    tick_sizes: Mapping[str, float] = field(default_factory=dict)
    spread_source: str = "corwin_schultz"          # corwin_schultz | fixed
    spread_floor_frac: float = BAR_SPREAD_FLOOR_BPS * _BPS
    spread_window_bars: int = 20
    slippage_frac: float = BAR_SLIPPAGE_BPS * _BPS
    latency_ms: float = 0.0                        # order travel + feed delay of a new order
    latency_adverse: bool = True                   # without a book, takers pay the expected move meanwhile
    _seen: _Observed = field(default_factory=_Observed, compare=False, repr=False)

    @classmethod
    def from_params(cls, exchange: Any = None, fill_model: Any = None) -> "CostModel":
        """From the validated `exchange` and `fill_model` Params (either may be None: its defaults)."""
        kw: dict[str, Any] = {}
        if exchange is not None:
            for name, key in (("fee_rate", "fee_rate"), ("min_total_krw", "min_order_krw")):
                if hasattr(exchange, name):
                    kw[key] = float(getattr(exchange, name))
            kw["tick_sizes"] = dict(getattr(exchange, "tick_sizes", None) or {})
        if fill_model is not None:
            kw.update(spread_source=str(fill_model.spread), spread_floor_frac=fill_model.spread_bps * _BPS,
                      spread_window_bars=int(fill_model.spread_window_bars),
                      slippage_frac=fill_model.slippage_bps * _BPS,
                      latency_ms=float(fill_model.order_latency_ms + fill_model.feed_latency_ms),
                      latency_adverse=bool(fill_model.latency_adverse))
        return cls(**kw)

    # ---- what the market shows ---------------------------------------------------------------------
    def observe_book(self, market: str, bid: float, ask: float) -> None:
        if bid > 0 and ask > bid:
            self._seen.book[market] = (ask - bid) / (0.5 * (ask + bid))

    def observe_bar_spread(self, market: str, value: float) -> None:
        """The candle estimator's spread (fraction of price); NaN (not warm yet) keeps the floor."""
        if math.isfinite(value):
            self._seen.bar[market] = float(value)

    def observe_bar_vol(self, market: str, sigma: float, interval_ms: int) -> None:
        if math.isfinite(sigma):
            self._seen.vol[market] = (float(sigma), int(interval_ms))

    def observe_tick_size(self, market: str, tick: float) -> None:
        self._seen.ticks[market] = float(tick)

    def has_book(self, market: str) -> bool:
        return market in self._seen.book

    # ---- grid --------------------------------------------------------------------------------------
    def tick_size(self, market: str, price: float) -> float:
        """Tick of `market` at `price`: the instruments' tick, a configured override, else Upbit's table."""
        t = self._seen.ticks.get(market) or self.tick_sizes.get(market)
        return float(t) if t else table_tick(price, market.split("-", 1)[0] if "-" in market else "KRW")

    def tick_cost_frac(self, market: str, price):
        """One tick as a fraction of price (the cost of rounding a price one step on the grid); NaN when
        the price is unknown."""
        if _scalar(price):
            p = float(price)
            return self.tick_size(market, p) / p if math.isfinite(p) and p > 0 else math.nan
        return np.array([self.tick_cost_frac(market, float(v)) for v in np.ravel(price)]).reshape(np.shape(price))

    # ---- spread, slippage, latency -----------------------------------------------------------------
    def spread_frac(self, market: str, price=math.nan, estimate=None):
        """Full spread of `market` (fraction of price); `estimate` = bar estimates to use instead of the
        observed one (arrays allowed, e.g. per decision row of the walk-forward)."""
        book = self._seen.book.get(market)
        if estimate is None and _scalar(price):
            if book is not None:
                base = book
            else:
                est = self._seen.bar.get(market, math.nan) if self.spread_source == "corwin_schultz" else math.nan
                base = max(est, self.spread_floor_frac) if math.isfinite(est) else self.spread_floor_frac
            tick = self.tick_cost_frac(market, price)
            return max(base, tick) if math.isfinite(tick) else base
        est = np.asarray(self._seen.bar.get(market, math.nan) if estimate is None else estimate, np.float64)
        if self.spread_source != "corwin_schultz":
            est = np.full(est.shape, math.nan)
        base = np.where(np.isfinite(est), np.maximum(est, self.spread_floor_frac), self.spread_floor_frac)
        if book is not None and estimate is None:
            base = np.full(base.shape, book)
        return np.maximum(base, np.nan_to_num(self.tick_cost_frac(market, price), nan=0.0))

    def latency_cost_frac(self, market: str, latency_ms: float | None = None) -> float:
        """Expected |move| while a taker travels, sqrt(2/pi) sigma_bar sqrt(latency / bar), charged as adverse
        (signals decay into price during the delay). Bars only: with a book the order meets the book."""
        lat = self.latency_ms if latency_ms is None else latency_ms
        if not self.latency_adverse or lat <= 0 or self.has_book(market) or market not in self._seen.vol:
            return 0.0
        sigma, bar_ms = self._seen.vol[market]
        return _SQRT_2_OVER_PI * sigma * math.sqrt(lat / max(bar_ms, 1))

    def taker_move_frac(self, market: str, price=math.nan, spread=None):
        """Adverse price move of one taker fill against the mid/last price (fraction): half the spread on a
        book; without one, half the spread + slippage + latency cost rounded up to the tick grid."""
        if spread is None:
            spread = self.spread_frac(market, price)
        if self.has_book(market):
            return 0.5 * spread
        extra = self.slippage_frac + self.latency_cost_frac(market)
        tick = self.tick_cost_frac(market, price)
        if _scalar(spread) and _scalar(price):
            move = 0.5 * float(spread) + extra
            return _ceil_steps(move / tick) * tick if math.isfinite(tick) else move
        move = 0.5 * np.asarray(spread, np.float64) + extra
        ticks = move / tick
        steps = np.where(np.abs(ticks - np.round(ticks)) <= _GRID_NOISE, np.round(ticks), np.ceil(ticks))
        return np.where(np.isfinite(tick), steps * tick, move)

    def side_cost_frac(self, market: str, price=math.nan, spread=None):
        """Fee + taker move of one fill."""
        return self.fee_rate + self.taker_move_frac(market, price, spread)

    def round_trip_cost_frac(self, market: str, price=math.nan, spread=None):
        """Both fees + both taker moves (spread, slippage, latency and tick rounding) of a buy then sell."""
        return 2.0 * self.side_cost_frac(market, price, spread)

    def round_trip_net_return(self, gross, market: str, price=math.nan, spread=None):
        """Net return of a long round trip whose mid-to-mid return is `gross`: buy and sell as takers."""
        move = self.taker_move_frac(market, price, spread)
        sell = (1.0 + np.asarray(gross, np.float64)) * (1.0 - move) * (1.0 - self.fee_rate)
        return sell / ((1.0 + move) * (1.0 + self.fee_rate)) - 1.0

    # ---- money -------------------------------------------------------------------------------------
    def net_return(self, cost_krw: float, volume: float, price: float) -> float:
        """Return of selling `volume` at `price` now against `cost_krw` (buy notional + buy fee), net of the
        sell fee; 0 for an empty position."""
        if volume <= 0 or cost_krw <= 0:
            return 0.0
        return (volume * price * (1.0 - self.fee_rate)) / cost_krw - 1.0

    def buy_fee_krw(self, notional_krw: float) -> float:
        return notional_krw * self.fee_rate

    def affordable_krw(self, balance_krw: float) -> float:
        """Largest whole-KRW buy whose notional plus buy fee fits in the balance."""
        if not math.isfinite(balance_krw) or balance_krw <= 0:
            return 0.0
        return float(math.floor(balance_krw / (1.0 + self.fee_rate) + _EPS_KRW))


def _scalar(x) -> bool:
    return isinstance(x, (int, float)) or np.ndim(x) == 0


def _ceil_steps(ticks: float) -> float:
    """Whole ticks a move needs, rounding up; a move already on the grid stays (float noise is no tick)."""
    r = round(ticks)
    return float(r) if abs(ticks - r) <= _GRID_NOISE else float(math.ceil(ticks))
