"""Market events: immutable objects for decision points, columnar numpy batches for bulk paths (ms, KRW)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Event kinds. Their numeric order is the merge tie rule (see `merge_order`).
CANDLE, TRADE, BOOK = 0, 1, 2
KIND_NAMES = {CANDLE: "candle", TRADE: "trade", BOOK: "book"}
# Taker side of a trade: BID = buyer-initiated, ASK = seller-initiated (Upbit `ask_bid`).
BID, ASK = 1, -1


@dataclass(frozen=True, slots=True)
class Trade:
    """One print: taker side (+1 BID / -1 ASK) and Upbit `sequential_id`."""
    market: str
    ts_ms: int
    price: float
    volume: float
    side: int
    seq: int
    kind: int = field(default=TRADE, init=False)


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """A full order-book snapshot (Upbit sends whole 15/30-level books, never deltas); level 0 = best."""
    market: str
    ts_ms: int
    bid_px: np.ndarray
    bid_sz: np.ndarray
    ask_px: np.ndarray
    ask_sz: np.ndarray
    kind: int = field(default=BOOK, init=False)

    @property
    def mid(self) -> float:
        return 0.5 * (float(self.bid_px[0]) + float(self.ask_px[0]))


@dataclass(frozen=True, slots=True)
class Candle:
    """An OHLCV bar; `ts_ms` is the bar's open time, `interval_s` its length."""
    market: str
    ts_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    value_krw: float = float("nan")
    interval_s: int = 60
    warmup: bool = False    # history fetched at start (REST backfill): features learn from it, nothing decides on it
    kind: int = field(default=CANDLE, init=False)

    @property
    def close_ms(self) -> int:
        """When the bar is known: a candle may only be acted on after its close (no look-ahead)."""
        return self.ts_ms + self.interval_s * 1000


@dataclass(slots=True)
class TradeBatch:
    """Columnar trades of one market, sorted by (ts_ms, seq)."""
    market: str
    ts_ms: np.ndarray      # int64
    price: np.ndarray      # float64
    volume: np.ndarray     # float64
    side: np.ndarray       # int8, +1 BID / -1 ASK
    seq: np.ndarray        # int64

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    def row(self, i: int) -> Trade:
        return Trade(self.market, int(self.ts_ms[i]), float(self.price[i]), float(self.volume[i]),
                     int(self.side[i]), int(self.seq[i]))

    def take(self, idx: np.ndarray) -> "TradeBatch":
        return TradeBatch(self.market, self.ts_ms[idx], self.price[idx], self.volume[idx],
                          self.side[idx], self.seq[idx])


@dataclass(slots=True)
class BookBatch:
    """Columnar book snapshots of one market: (n, levels) matrices, level 0 = best."""
    market: str
    ts_ms: np.ndarray      # int64 (n,)
    bid_px: np.ndarray     # float64 (n, L)
    bid_sz: np.ndarray
    ask_px: np.ndarray
    ask_sz: np.ndarray

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    @property
    def levels(self) -> int:
        return int(self.bid_px.shape[1])

    def row(self, i: int) -> BookSnapshot:
        return BookSnapshot(self.market, int(self.ts_ms[i]), self.bid_px[i], self.bid_sz[i],
                            self.ask_px[i], self.ask_sz[i])

    def take(self, idx: np.ndarray) -> "BookBatch":
        return BookBatch(self.market, self.ts_ms[idx], self.bid_px[idx], self.bid_sz[idx],
                         self.ask_px[idx], self.ask_sz[idx])


@dataclass(slots=True)
class CandleBatch:
    """Columnar candles of one market, sorted by open time."""
    market: str
    ts_ms: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    value_krw: np.ndarray
    interval_s: int = 60

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    def row(self, i: int) -> Candle:
        return Candle(self.market, int(self.ts_ms[i]), float(self.open[i]), float(self.high[i]),
                      float(self.low[i]), float(self.close[i]), float(self.volume[i]),
                      float(self.value_krw[i]), self.interval_s)

    def take(self, idx: np.ndarray) -> "CandleBatch":
        return CandleBatch(self.market, self.ts_ms[idx], self.open[idx], self.high[idx], self.low[idx],
                           self.close[idx], self.volume[idx], self.value_krw[idx], self.interval_s)


def merge_order(ts_ms: list[np.ndarray], kinds: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic merge of many per-market streams.

    Input: one timestamp array per stream (each already sorted) and that stream's event kind; streams
    are given in a fixed order (markets sorted by code, then candle/trade/book).
    Output: (stream index, row index) per merged event.
    Tie rule for equal timestamps: kind order CANDLE < TRADE < BOOK (a candle that *opened* at t is
    only emitted by feeds at its close, so equal stamps are rare), then stream order, then row order.
    A stable lexsort gives exactly that.
    """
    if not ts_ms:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ts = np.concatenate([np.asarray(t, np.int64) for t in ts_ms])
    stream = np.concatenate([np.full(len(t), i, np.int64) for i, t in enumerate(ts_ms)])
    kind = np.concatenate([np.full(len(t), k, np.int64) for t, k in zip(ts_ms, kinds)])
    row = np.concatenate([np.arange(len(t), dtype=np.int64) for t in ts_ms])
    order = np.lexsort((row, stream, kind, ts))
    return stream[order], row[order]
