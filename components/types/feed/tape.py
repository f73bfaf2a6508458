"""A replay's merged events as flat columns (one row per event, global order) for kernels that skip quiet runs."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from components.types.events import BOOK, TRADE
from components.types.feed.merge import merged_index
from components.types.stream import MarketStream

# columns of `ints`, `flts` and the second axis of `book` (few arrays: every kernel argument costs a call)
I_TS, I_KIND, I_MKT, I_BROW = range(4)
F_PX, F_VOL, F_SIDE, F_BID0, F_ASK0 = range(5)
B_BID_PX, B_BID_SZ, B_ASK_PX, B_ASK_SZ = range(4)


@dataclass(slots=True)
class ReplayTape:
    """Every event of a replay in `iter_merged` order.

    `ints[i]` = (ts_ms, kind, market index into `markets`, row in `book` or -1); `flts[i]` = a trade's price,
    volume and taker side (+1/-1), a book's best bid and ask (NaN where not that kind); `book[g]` = the
    (bid_px, bid_sz, ask_px, ask_sz) rows of stacked snapshot g, deeper books padded with NaN (which every
    matching rule reads as the end of a side). Stacked row g of market j is row g - book_offset[j] of
    `books[j]`, whose row views are what the events carry; `pos[i]` is the event's place in its stream."""
    markets: list[str]
    index: dict             # market -> its index in `markets`
    pos: np.ndarray         # int64
    ts_ms: np.ndarray       # int64 (a contiguous copy of ints[:, I_TS])
    ints: np.ndarray        # int64 (n, 4)
    flts: np.ndarray        # float64 (n, 5)
    book: np.ndarray        # float64 (books, 4, levels)
    book_offset: list[int]
    books: list             # each market's BookBatch (or None)

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    @classmethod
    def build(cls, streams: Mapping[str, MarketStream]) -> "ReplayTape":
        markets, mk, pos = merged_index(streams)
        books = [streams[m].books for m in markets]
        levels = max((b.levels for b in books if b is not None and len(b)), default=1)
        ints, flts, mats, offsets, offset = [], [], [], [], 0
        for j, (m, bk) in enumerate(zip(markets, books)):
            s = streams[m]
            kind, row = s.kind.astype(np.int64), np.asarray(s.row, np.int64)
            n = len(kind)
            is_tr, is_bk = kind == TRADE, kind == BOOK
            i = np.empty((n, 4), np.int64)
            i[:, I_TS], i[:, I_KIND], i[:, I_MKT] = s.ts_ms, kind, j
            i[:, I_BROW] = np.where(is_bk, row + offset, -1)
            f = np.full((n, 5), np.nan)
            if s.trades is not None and is_tr.any():
                r = row[is_tr]
                f[is_tr, F_PX], f[is_tr, F_VOL], f[is_tr, F_SIDE] = (s.trades.price[r], s.trades.volume[r],
                                                                    s.trades.side[r])
            if bk is not None and len(bk):
                r = row[is_bk]
                f[is_bk, F_BID0], f[is_bk, F_ASK0] = bk.bid_px[r, 0], bk.ask_px[r, 0]
                mats.append(_stack(bk, levels))
            ints.append(i)
            flts.append(f)
            offsets.append(offset)
            offset += len(bk) if bk is not None else 0
        if len(mk):
            starts = np.cumsum([0] + [len(streams[m]) for m in markets[:-1]]).astype(np.int64)
            flat = starts[mk] + pos
            ints_all = np.ascontiguousarray(np.concatenate(ints)[flat])
            flts_all = np.ascontiguousarray(np.concatenate(flts)[flat])
        else:
            ints_all, flts_all = np.zeros((0, 4), np.int64), np.zeros((0, 5))
        book = np.concatenate(mats) if mats else np.full((1, 4, levels), np.nan)
        return cls(markets, {m: j for j, m in enumerate(markets)}, pos, np.ascontiguousarray(ints_all[:, I_TS]),
                   ints_all, flts_all, np.ascontiguousarray(book), offsets, books)


def _stack(bk, levels: int) -> np.ndarray:
    """(rows, 4, levels) float64 of one market's snapshots, padded with NaN to `levels`."""
    out = np.full((len(bk), 4, levels), np.nan)
    for c, a in enumerate((bk.bid_px, bk.bid_sz, bk.ask_px, bk.ask_sz)):
        out[:, c, :a.shape[1]] = a
    return out
