"""Passive quoting vocabulary: what a quoting strategy sees on its timer and the one action it returns."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkingQuote:
    """The strategy's own resting post-only order on a market (at most one per market)."""
    side: str                 # "bid" | "ask"
    price: float
    volume: float
    identifier: str


@dataclass(frozen=True, slots=True)
class QuoteContext:
    """Market and account state handed to a quoting strategy at each requote tick (data time, ms)."""
    market: str
    ts_ms: int
    best_bid: float
    best_ask: float
    position_volume: float
    working: WorkingQuote | None


@dataclass(frozen=True, slots=True)
class QuoteAction:
    """place: a new post-only limit; replace: move the working order (Upbit cancel_and_new live, cancel +
    new in the sim); cancel: pull it; hold: nothing to do."""
    kind: str                 # "place" | "replace" | "cancel" | "hold"
    side: str = ""
    price: float = 0.0
    volume: float = 0.0
    reason: str = "quote"


HOLD = QuoteAction("hold")
