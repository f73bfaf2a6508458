"""Risk vocabulary shared by sizing, exits, kill switches and the engine's risk manager (KRW, fractions)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

# Trip actions (components/types/kinds.Trip.action). "Event" actions (cancel_all, flatten) ask the engine
# to do something now; the others restrict trading while the trip is active.
BLOCK_ENTRIES, SCALE_SIZE, PAUSE, CANCEL_ALL, FLATTEN, HALT = (
    "block_entries", "scale_size", "pause", "cancel_all", "flatten", "halt")
ACTIONS = (BLOCK_ENTRIES, SCALE_SIZE, PAUSE, CANCEL_ALL, FLATTEN, HALT)
MARKET_CLASSES = ("majors", "alts", "emerging")


@dataclass(slots=True)
class SizingContext:
    """What a sizing policy may know besides balance and confidence; every field optional (NaN = unknown).

    vpin in [0, 1]; kyle_lambda raw; kyle_lambda_pct = its rolling percentile rank in [0, 1] (NaN: the
    policy ranks it against the values it has seen); equity_krw = cash + positions at mark.
    """
    market: str = ""
    market_class: str = "majors"
    equity_krw: float = math.nan
    open_positions: int = 0
    vpin: float = math.nan
    kyle_lambda: float = math.nan
    kyle_lambda_pct: float = math.nan
    volatility_ratio: float = math.nan    # vol_regime = ATR20/ATR60 (1 = normal); for policies that scale by it


@dataclass(frozen=True, slots=True)
class ExitSignal:
    """An exit decision: `reason` = exit instance id (e.g. "hard_stop"); stops bypass the fee floor."""
    reason: str
    is_stop: bool = False
    net_return: float = 0.0          # position net return at the checked price (both fees)
    rests_limit: bool = False        # the exit that fired declares it may rest a limit order (exit_type=limit)


@dataclass(slots=True)
class ExitContext:
    """Extra inputs for exits. expected_return: the model's expected further net return of holding
    (fraction, e.g. from the tower's P(up)); NaN when the engine has no model estimate."""
    market_class: str = "majors"
    expected_return: float = math.nan


@dataclass(slots=True)
class RiskSnapshot:
    """Account state the engine's risk manager hands to kill switches (KRW, ms)."""
    ts_ms: int = 0
    equity_krw: float = math.nan
    cash_krw: float = math.nan
    day_start_equity_krw: float = math.nan
    peak_equity_krw: float = math.nan
    consecutive_losses: int = 0
    positions_krw: dict[str, float] = field(default_factory=dict)   # market -> position value at mark
    open_orders_krw: float = 0.0                                    # KRW locked by resting buy orders
    markets: tuple[str, ...] = ()                                   # markets traded (per-market metrics)
