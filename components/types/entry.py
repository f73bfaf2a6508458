"""What the engine gives an entry rule and what it gets back (fractions: 0.001 = 0.1 %)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntryContext:
    """Market state at the decision: quoted spread (a1-b1)/mid, volatility regime (ATR20/ATR60, 1 = normal)."""
    spread_frac: float = 0.0
    vol_regime: float = 1.0
    slippage_frac: float = float("nan")     # NaN: the rule's configured expectation


@dataclass(frozen=True, slots=True)
class EntryVerdict:
    """`enter` plus the numbers behind it; `reason` is a short machine string stored with the decision."""
    enter: bool
    expected_net: float
    threshold: float
    reason: str
    confidence: float = float("nan")     # what sizing should see; NaN = the fused probability itself
