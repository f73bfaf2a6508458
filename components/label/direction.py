"""direction label: 1 if the price moves +threshold_pct before -threshold_pct within horizon_ms (tick data)."""
from __future__ import annotations

import numpy as np
from pydantic import Field

from components.label._path import barrier_kernel, entry_prices, first_after, price_path
from registry import Params, register


@register("label", "direction")
class Direction:
    """Symmetric short-horizon barrier on TRADE prices (default ±0.05 % within 5 s).

    Needs tick data: on one-minute bars a 5-second horizon holds no complete bar, so `scalp validate`
    refuses it on candle-only feeds (engine/checks/labels.py). Neither barrier touched -> NaN (dropped
    from training: "no direction" is not "down"), unless `timeout_as_zero`.
    """
    needs = frozenset({"trade"})

    class Params(Params):
        threshold_pct: float = Field(0.05, gt=0, le=10, description="both barriers, percent of the entry")
        horizon_ms: int = Field(5_000, ge=100)
        timeout_as_zero: bool = False

    def __init__(self, p: "Direction.Params") -> None:
        self.p = p

    @property
    def horizon_ms(self) -> int:
        return self.p.horizon_ms

    def compute(self, stream, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if stream.trades is None or not len(stream.trades):
            raise ValueError(f"labels.direction needs trades; stream {stream.market} has none")
        idx = np.asarray(idx, np.int64)
        t = np.asarray(stream.ts_ms, np.int64)[idx]
        path = price_path(stream, "trade")
        th = self.p.threshold_pct / 100
        y, end, _ = barrier_kernel(first_after(path, t), t, entry_prices(path, t), path.known_ms, path.open,
                                   path.high, path.low, path.last, th, th, int(self.p.horizon_ms))
        y = np.where(y == -1.0, 0.0 if self.p.timeout_as_zero else np.nan, y)
        return y, end
