"""What the engine gives an entry rule and what it gets back (fractions: 0.001 = 0.1 %)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntryContext:
    """Market state at the decision: market and price (the cost model prices the trade from them), volatility
    regime (ATR20/ATR60, 1 = normal), optionally a known quoted spread (a1-b1)/mid."""
    spread_frac: float = float("nan")       # NaN: the cost model's spread of `market` (book, bar estimate, floor)
    vol_regime: float = 1.0
    market: str = ""
    price: float = float("nan")             # last price: the tick grid's rounding cost depends on it


@dataclass(frozen=True, slots=True)
class EntryVerdict:
    """`enter` plus the numbers behind it; `reason` is a short machine string stored with the decision."""
    enter: bool
    expected_net: float
    threshold: float
    reason: str
    confidence: float = float("nan")     # what sizing should see; NaN = the fused probability itself
