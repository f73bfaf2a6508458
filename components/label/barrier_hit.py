"""barrier_hit label: 1 if +up_pct is reached within horizon_ms before -down_pct (triple barrier), else 0."""
from __future__ import annotations

import numpy as np
from pydantic import Field

from components.label._path import barrier_kernel, entry_prices, first_after, price_path
from registry import Params, register


@register("label", "barrier_hit")
class BarrierHit:
    """Triple barrier (López de Prado 2018 ch. 3) on prices strictly after the decision time.

    Upper barrier first -> 1; stop first, or neither before the time barrier -> 0. A bar that touches
    both barriers counts as the stop (the order inside a bar is unknown: the conservative reading).
    Label end time = when the touching bar closed (or t + horizon), used to purge and embargo.
    """
    needs: frozenset[str] = frozenset()       # any price path: trades when present, else candles

    class Params(Params):
        up_pct: float = Field(0.4, gt=0, le=50, description="profit barrier, percent of the entry price")
        down_pct: float = Field(0.4, gt=0, le=50, description="stop barrier, percent of the entry price")
        horizon_ms: int = Field(480_000, ge=1_000, description="time barrier after the decision (8 min)")
        prefer: str = Field("trade", pattern="^(trade|candle)$",
                            description="price path: trades when the stream has them, else candles")

    def __init__(self, p: "BarrierHit.Params") -> None:
        self.p = p

    @property
    def horizon_ms(self) -> int:
        return self.p.horizon_ms

    def outcome(self, stream, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(raw y: 1 up / 0 stop / -1 time-out / NaN unknown, end_ms, realised barrier-exit return)."""
        idx = np.asarray(idx, np.int64)
        t = np.asarray(stream.ts_ms, np.int64)[idx]
        path = price_path(stream, self.p.prefer)
        return barrier_kernel(first_after(path, t), t, entry_prices(path, t), path.known_ms, path.open,
                              path.high, path.low, path.last, self.p.up_pct / 100, self.p.down_pct / 100,
                              int(self.p.horizon_ms))

    def compute(self, stream, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y, end, _ = self.outcome(stream, idx)
        return np.where(y == -1.0, 0.0, y), end
