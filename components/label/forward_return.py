"""forward_return label: 1 if the last price at t + horizon_ms is above the decision price by > min_return_pct."""
from __future__ import annotations

import numpy as np
from pydantic import Field

from components.label._path import entry_prices, price_path
from registry import Params, register


@register("label", "forward_return")
class ForwardReturn:
    """Return from the last price known at t to the last price known at t + horizon (strictly later prices).

    `returns(stream, idx)` gives the raw return (NaN when the data ends first); `compute` binarises it
    at `min_return_pct` (default 0.1 %: a move that pays a round trip of fees).
    """
    needs: frozenset[str] = frozenset()       # any price path: trades when present, else candles

    class Params(Params):
        horizon_ms: int = Field(300_000, ge=1_000)
        min_return_pct: float = Field(0.1, ge=-50, le=50)
        prefer: str = Field("trade", pattern="^(trade|candle)$")

    def __init__(self, p: "ForwardReturn.Params") -> None:
        self.p = p

    @property
    def horizon_ms(self) -> int:
        return self.p.horizon_ms

    def returns(self, stream, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(stream.ts_ms, np.int64)[np.asarray(idx, np.int64)]
        path = price_path(stream, self.p.prefer)
        end = t + self.p.horizon_ms
        r = entry_prices(path, end) / entry_prices(path, t) - 1.0
        r[end > path.known_ms[-1]] = np.nan      # horizon runs past the data: unknown
        return r, end

    def compute(self, stream, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r, end = self.returns(stream, idx)
        y = np.where(np.isfinite(r), (r > self.p.min_return_pct / 100).astype(float), np.nan)
        return y, end
