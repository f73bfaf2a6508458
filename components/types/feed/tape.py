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
        ints, flts = [], []
        for j, (m, bk) in enumerate(zip(markets, books)):
            s = streams[m]
            kind, row = s.kind.astype(np.int64), np.asarray(s.row, np.int64)
            n = len(kind)
            is_tr, is_bk = kind == TRADE, kind == BOOK
            i = np.empty((n, 4), np.int64)
            i[:, I_TS], i[:, I_KIND], i[:, I_MKT] = s.ts_ms, kind, j
            i[:, I_BROW] = np.where(is_bk, row, -1)
            f = np.full((n, 5), np.nan)
            if s.trades is not None and is_tr.any():
                r = row[is_tr]
                f[is_tr, F_PX], f[is_tr, F_VOL], f[is_tr, F_SIDE] = (s.trades.price[r], s.trades.volume[r],
                                                                    s.trades.side[r])
            if bk is not None and is_bk.any():
                r = row[is_bk]
                f[is_bk, F_BID0], f[is_bk, F_ASK0] = bk.bid_px[r, 0], bk.ask_px[r, 0]
            ints.append(i)
            flts.append(f)
        if len(mk):
            starts = np.cumsum([0] + [len(streams[m]) for m in markets[:-1]]).astype(np.int64)
            flat = starts[mk] + pos
            ints_all = np.ascontiguousarray(np.concatenate(ints)[flat])
            flts_all = np.ascontiguousarray(np.concatenate(flts)[flat])
        else:
            ints_all, flts_all = np.zeros((0, 4), np.int64), np.zeros((0, 5))
        return cls(markets, {m: j for j, m in enumerate(markets)}, pos, np.ascontiguousarray(ints_all[:, I_TS]),
                   ints_all, flts_all, books, {})
