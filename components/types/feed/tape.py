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
        n = len(mk)
        ints, flts = np.empty((n, 4), np.int64), np.full((n, 5), np.nan)
        if n:
            starts = np.cumsum([0] + [len(streams[m]) for m in markets[:-1]]).astype(np.int64)
            flat = starts[mk] + pos
            kind = np.concatenate([streams[m].kind for m in markets]).astype(np.int64)[flat]
            row = np.concatenate([np.asarray(streams[m].row, np.int64) for m in markets])[flat]
            ints[:, I_TS] = np.concatenate([streams[m].ts_ms for m in markets])[flat]
            ints[:, I_KIND] = kind
            ints[:, I_MKT] = mk
            is_bk = kind == BOOK
            ints[:, I_BROW] = np.where(is_bk, row, -1)
            is_tr = kind == TRADE
            for j, m in enumerate(markets):
                s, bk = streams[m], books[j]
                on = mk == j
                if s.trades is not None:
                    sel = np.flatnonzero(on & is_tr)
                    r = row[sel]
                    flts[sel, F_PX], flts[sel, F_VOL], flts[sel, F_SIDE] = (s.trades.price[r], s.trades.volume[r],
                                                                           s.trades.side[r])
                if bk is not None:
                    sel = np.flatnonzero(on & is_bk)
                    r = row[sel]
                    flts[sel, F_BID0], flts[sel, F_ASK0] = bk.bid_px[r, 0], bk.ask_px[r, 0]
        return cls(markets, {m: j for j, m in enumerate(markets)}, pos, np.ascontiguousarray(ints[:, I_TS]),
                   ints, flts, books, {})
