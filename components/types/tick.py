"""Upbit price grid: KRW tick table (UPBIT_API.md §8.1, effective 2025-07-31), BTC/USDT grids, snapping."""
from __future__ import annotations

import math
from decimal import Decimal

# (lower bound inclusive, tick) from the highest band down; the first band whose bound <= price wins.
KRW_TICKS: tuple[tuple[float, float], ...] = (
    (1_000_000.0, 1000.0), (500_000.0, 500.0), (100_000.0, 100.0), (50_000.0, 50.0),
    (10_000.0, 10.0), (5_000.0, 5.0), (100.0, 1.0), (10.0, 0.1), (1.0, 0.01), (0.1, 0.001),
    (0.01, 0.0001), (0.001, 0.00001), (0.0001, 0.000001), (0.00001, 0.0000001), (0.0, 0.00000001),
)
USDT_TICKS: tuple[tuple[float, float], ...] = (
    (10.0, 0.01), (1.0, 0.001), (0.1, 0.0001), (0.01, 0.00001), (0.001, 0.000001),
    (0.0001, 0.0000001), (0.0, 0.00000001),
)
BTC_TICK = 0.00000001
MIN_TOTAL = {"KRW": 5_000.0, "BTC": 0.00005, "USDT": 0.5}   # §8.3/§8.4


def quote_currency(market: str) -> str:
    """`KRW-BTC` -> `KRW`."""
    return market.split("-", 1)[0]


def table_tick(price: float, quote: str = "KRW") -> float:
    """Tick of `price` from the exchange's table for that quote currency."""
    if quote == "BTC":
        return BTC_TICK
    table = USDT_TICKS if quote == "USDT" else KRW_TICKS
    for bound, tick in table:
        if price >= bound:
            return tick
    return table[-1][1]


def on_grid(price: float, tick: float) -> bool:
    """True if `price` is a whole number of ticks (relative tolerance for float noise)."""
    if price <= 0 or tick <= 0:
        return False
    n = price / tick
    return abs(n - round(n)) <= _noise(n)


def _noise(n: float) -> float:
    """Float error of price/tick in ticks: far below one tick even for 10-digit KRW prices."""
    return max(1e-9, abs(n) * 1e-12)


def snap(price: float, tick: float, mode: str = "nearest") -> float:
    """Snap to the grid: `down` (floor; safe for a passive bid), `up` (ceil; passive ask), `nearest`."""
    n = price / tick
    r = round(n)
    if abs(n - r) <= _noise(n):
        k = r                      # already on the grid: float noise must not move it a tick
    elif mode == "down":
        k = math.floor(n)
    elif mode == "up":
        k = math.ceil(n)
    else:
        k = r
    # Decimal round-trip removes binary noise such as 0.30000000000000004
    return float(Decimal(k) * Decimal(repr(tick)))


def snap_krw(price: float, mode: str = "nearest", tick: float | None = None) -> float:
    """Snap a KRW price to its band's tick (or a given instruments tick); band edges use the tick of the result."""
    t = tick or table_tick(price)
    out = snap(price, t, mode)
    if tick is None:                     # crossing a band edge can change the tick: re-check once
        t2 = table_tick(out)
        if t2 != t:
            out = snap(price, t2, mode)
    return out


def decimals_ok(value: float | str | Decimal, decimals: int = 8) -> bool:
    """True if `value` has at most `decimals` decimal places (volume precision, §8.4)."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return d == d.quantize(Decimal(1).scaleb(-decimals)) if d.is_finite() else False


def floor_volume(volume: float, decimals: int = 8) -> float:
    """Floor a volume to the exchange precision (never round up: that would overspend)."""
    scale = 10 ** decimals
    return math.floor(volume * scale + 1e-6) / scale


def fmt(x: float | None) -> str | None:
    """Decimal string as the exchange sends it: shortest exact repr, no exponent ("0.00000001")."""
    if x is None:
        return None
    s = repr(round(float(x), 10))            # 10 decimals: below Upbit's precision, hides float noise
    if "e" in s or "n" in s:                 # exponent (or nan/inf): Decimal writes it out; a plain repr is
        s = format(Decimal(s), "f")          # already what Decimal would print
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
