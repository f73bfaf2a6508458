"""Shared sizing arithmetic: whole KRW, the exchange minimum and the buy fee cap, both from the cost model (KRW)."""
from __future__ import annotations

import math

from components.types.costs import CostModel

# Float products like 0.85 * 1e6 may land a hair under the integer; flooring needs this tolerance.
_EPS_KRW = 1e-6


def affordable_krw(balance_krw: float, costs: CostModel) -> float:
    """Largest whole-KRW buy whose notional plus the model's buy fee fits in the balance."""
    return costs.affordable_krw(balance_krw)


def finalize_krw(size_krw: float, balance_krw: float, costs: CostModel, forced_min_krw: float = 0.0) -> float:
    """Floor to whole KRW, cap to what the balance pays incl. fee; below the minimum -> forced minimum or 0.

    A size under the exchange minimum is raised to `forced_min_krw` (0 = never raise) when the balance
    can pay it, else to the affordable amount if that still reaches the minimum; otherwise 0.
    """
    if not math.isfinite(size_krw) or size_krw <= 0:
        return 0.0
    cap = costs.affordable_krw(balance_krw)
    size = min(float(math.floor(size_krw + _EPS_KRW)), cap)
    if size >= costs.min_order_krw:
        return size
    if forced_min_krw <= 0:
        return 0.0
    raised = min(forced_min_krw, cap)
    return raised if raised >= costs.min_order_krw else 0.0
