"""One market's merged event stream over columnar batches: kind + row index per event, by availability time."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from components.types.events import BOOK, CANDLE, TRADE, BookBatch, CandleBatch, TradeBatch, merge_order


@dataclass(slots=True)
class MarketStream:
    """Events of one market in the order a live feed would deliver them.

    `ts_ms[i]` is when event i becomes known: a trade's/book's own stamp, a candle's *close* time
    (open + interval), so nothing can act on a bar before it has closed.
    """
    market: str
    candles: CandleBatch | None
    trades: TradeBatch | None
    books: BookBatch | None
    kind: np.ndarray
    row: np.ndarray
    ts_ms: np.ndarray

    @classmethod
    def build(cls, market: str, candles: CandleBatch | None = None, trades: TradeBatch | None = None,
              books: BookBatch | None = None) -> "MarketStream":
        parts = [(CANDLE, candles, lambda b: b.ts_ms + b.interval_s * 1000),
                 (TRADE, trades, lambda b: b.ts_ms), (BOOK, books, lambda b: b.ts_ms)]
        ts_list, kinds = [], []
        for kind, batch, stamp in parts:
            ts_list.append(np.asarray(stamp(batch), np.int64) if batch is not None else np.zeros(0, np.int64))
            kinds.append(kind)
        stream, row = merge_order(ts_list, kinds)
        kind_arr = np.asarray(kinds, np.int64)[stream] if len(stream) else np.zeros(0, np.int64)
        ts = np.concatenate(ts_list)[_flat_index(ts_list, stream, row)] if len(stream) else np.zeros(0, np.int64)
        return cls(market, candles, trades, books, kind_arr.astype(np.int8), row, ts)

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def event(self, i: int):
        k, r = int(self.kind[i]), int(self.row[i])
        batch = self.candles if k == CANDLE else self.trades if k == TRADE else self.books
        return batch.row(r)

    def events(self) -> Iterator:
        for i in range(len(self)):
            yield self.event(i)


def _flat_index(ts_list: list[np.ndarray], stream: np.ndarray, row: np.ndarray) -> np.ndarray:
    offsets = np.cumsum([0] + [len(t) for t in ts_list[:-1]])
    return np.asarray(offsets, np.int64)[stream] + row
