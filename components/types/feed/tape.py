"""A replay's merged events as flat columns (one row per event, global order) for kernels that skip quiet runs."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from components.types.events import BOOK, TRADE
from components.types.feed.merge import merged_index
from components.types.stream import MarketStream

# columns of `ints` and `flts` (few arrays: every kernel argument costs time on every call)
I_TS, I_KIND, I_MKT, I_BROW = range(4)
F_PX, F_VOL, F_SIDE, F_BID0, F_ASK0 = range(5)
_NO_BOOK = np.full((1, 1), np.nan)


@dataclass(slots=True)
class ReplayTape:
    """Every event of a replay in `iter_merged` order.

    `ints[i]` = (ts_ms, kind, market index into `markets`, row in that market's BookBatch or -1); `flts[i]` =
    a trade's price, volume and taker side (+1/-1), a book's best bid and ask (NaN where not that kind);
    `pos[i]` is the event's place in its stream. The books stay where they are (no copy): `book_arrays(j)`
    hands a kernel market j's four matrices."""
    markets: list[str]
    index: dict             # market -> its index in `markets`
    pos: np.ndarray         # int64
    ts_ms: np.ndarray       # int64 (a contiguous copy of ints[:, I_TS])
    ints: np.ndarray        # int64 (n, 4)
    flts: np.ndarray        # float64 (n, 5)
    books: list             # each market's BookBatch (or None)
    _mats: dict             # market index -> its (bid_px, bid_sz, ask_px, ask_sz) as C float64

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    def book_arrays(self, j: int) -> tuple:
        """Market j's (bid_px, bid_sz, ask_px, ask_sz) as C-contiguous float64 (the batch's own arrays when
        they are already; a 1x1 NaN matrix each for a market without books)."""
        mats = self._mats.get(j)
        if mats is None:
            bk = self.books[j]
            mats = self._mats[j] = ((_NO_BOOK,) * 4 if bk is None or not len(bk) else
                                    tuple(np.ascontiguousarray(a, np.float64)
                                          for a in (bk.bid_px, bk.bid_sz, bk.ask_px, bk.ask_sz)))
        return mats

    @classmethod
    def build(cls, streams: Mapping[str, MarketStream]) -> "ReplayTape":
        markets, mk, pos = merged_index(streams)
        books = [streams[m].books for m in markets]
        cols: list[list[np.ndarray]] = [[] for _ in range(9)]     # ts kind brow | px vol side bid0 ask0 (+ mk)
        for j, (m, bk) in enumerate(zip(markets, books)):
            s = streams[m]
            kind, row = s.kind.astype(np.int64), np.asarray(s.row, np.int64)
            n = len(kind)
            is_tr, is_bk = kind == TRADE, kind == BOOK
            px, vol, side, bid0, ask0 = (np.full(n, np.nan) for _ in range(5))
            if s.trades is not None and is_tr.any():
                r = row[is_tr]
                px[is_tr], vol[is_tr], side[is_tr] = s.trades.price[r], s.trades.volume[r], s.trades.side[r]
            if bk is not None and is_bk.any():
                r = row[is_bk]
                bid0[is_bk], ask0[is_bk] = bk.bid_px[r, 0], bk.ask_px[r, 0]
            for c, a in enumerate((s.ts_ms, kind, np.where(is_bk, row, -1), px, vol, side, bid0, ask0)):
                cols[c].append(a)
        n = len(mk)
        ints, flts = np.empty((n, 4), np.int64), np.empty((n, 5))
        if n:
            starts = np.cumsum([0] + [len(streams[m]) for m in markets[:-1]]).astype(np.int64)
            flat = starts[mk] + pos
            for c, col in zip((I_TS, I_KIND, I_BROW), cols[:3]):
                ints[:, c] = np.concatenate(col)[flat]
            ints[:, I_MKT] = mk
            for c, col in zip((F_PX, F_VOL, F_SIDE, F_BID0, F_ASK0), cols[3:8]):
                flts[:, c] = np.concatenate(col)[flat]
        return cls(markets, {m: j for j, m in enumerate(markets)}, pos, np.ascontiguousarray(ints[:, I_TS]),
                   ints, flts, books, {})
