"""Shared sizing arithmetic: whole KRW, the 5,000 KRW exchange minimum, and the buy fee cap (KRW)."""
from __future__ import annotations

import math

from components.types.orders import FEE_RATE_KRW, MIN_ORDER_KRW

# Float products like 0.85 * 1e6 may land a hair under the integer; flooring needs this tolerance.
_EPS_KRW = 1e-6


def affordable_krw(balance_krw: float, fee_rate: float = FEE_RATE_KRW) -> float:
    """Largest whole-KRW buy whose notional plus buy fee fits in the balance."""
    if not math.isfinite(balance_krw) or balance_krw <= 0:
        return 0.0
    return float(math.floor(balance_krw / (1.0 + fee_rate) + _EPS_KRW))


def finalize_krw(size_krw: float, balance_krw: float, forced_min_krw: float = 0.0,
                 fee_rate: float = FEE_RATE_KRW) -> float:
    """Floor to whole KRW, cap to what the balance pays incl. fee; below 5,000 -> forced minimum or 0.

    A size under the exchange minimum is raised to `forced_min_krw` (0 = never raise) when the balance
    can pay it, else to the affordable amount if that still reaches the minimum; otherwise 0.
    """
    if not math.isfinite(size_krw) or size_krw <= 0:
        return 0.0
    cap = affordable_krw(balance_krw, fee_rate)
    size = min(float(math.floor(size_krw + _EPS_KRW)), cap)
    if size >= MIN_ORDER_KRW:
        return size
    if forced_min_krw <= 0:
        return 0.0
    raised = min(forced_min_krw, cap)
    return raised if raised >= MIN_ORDER_KRW else 0.0
