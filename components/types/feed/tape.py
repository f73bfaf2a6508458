"""A replay's merged events as flat columns (one row per event, global order) for kernels that skip quiet runs."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from components.types.events import BOOK, TRADE
from components.types.feed.merge import merged_index
from components.types.stream import MarketStream


@dataclass(slots=True)
class ReplayTape:
    """Every event of a replay in `iter_merged` order: market index, stream position, time, kind, the trade's
    price/volume/side (NaN/0 elsewhere) and the book's row in the stacked book matrices (-1 elsewhere).

    Book matrices of all markets are stacked (deeper books padded with NaN, which every matching rule reads
    as the end of a side); stacked row g of market j is row g - book_offset[j] of `books[j]`."""
    markets: list[str]
    mk: np.ndarray          # int64 market index into `markets`
    pos: np.ndarray         # int64 position in that market's stream
    ts_ms: np.ndarray       # int64
    kind: np.ndarray        # int64 CANDLE / TRADE / BOOK
    trade_px: np.ndarray    # float64
    trade_vol: np.ndarray   # float64
    trade_side: np.ndarray  # int64 +1 BID / -1 ASK, 0 for non-trades
    book_row: np.ndarray    # int64 row in bid_px/... (-1 for non-books)
    book_offset: np.ndarray  # int64 first stacked row of each market's books
    books: list             # each market's BookBatch (or None): its row views are what events carry
    bid_px: np.ndarray      # float64 (books, levels)
    bid_sz: np.ndarray
    ask_px: np.ndarray
    ask_sz: np.ndarray
    bid0: np.ndarray        # float64 best bid of each stacked book
    ask0: np.ndarray
    index: dict             # market -> its index in `markets`

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    @classmethod
    def build(cls, streams: Mapping[str, MarketStream]) -> "ReplayTape":
        markets, mk, pos = merged_index(streams)
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("ts", "kind", "tpx", "tvol", "tside", "brow")}
        books = [streams[m].books for m in markets]
        levels = max((b.levels for b in books if b is not None and len(b)), default=1)
        offset, offsets = 0, []
        for m, bk in zip(markets, books):
            s = streams[m]
            kind, row = s.kind.astype(np.int64), np.asarray(s.row, np.int64)
            n = len(kind)
            is_tr, is_bk = kind == TRADE, kind == BOOK
            tpx, tvol, tside = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, np.int64)
            if s.trades is not None and is_tr.any():
                r = row[is_tr]
                tpx[is_tr], tvol[is_tr] = s.trades.price[r], s.trades.volume[r]
                tside[is_tr] = s.trades.side[r]
            parts["ts"].append(np.asarray(s.ts_ms, np.int64))
            parts["kind"].append(kind)
            parts["tpx"].append(tpx)
            parts["tvol"].append(tvol)
            parts["tside"].append(tside)
            parts["brow"].append(np.where(is_bk, row + offset, -1))
            offsets.append(offset)
            offset += len(bk) if bk is not None else 0
        stacked = [_stack([getattr(b, f) if b is not None else None for b in books], levels)
                   for f in ("bid_px", "bid_sz", "ask_px", "ask_sz")]
        if len(mk):
            starts = np.cumsum([0] + [len(streams[m]) for m in markets[:-1]]).astype(np.int64)
            flat = starts[mk] + pos
        else:
            flat = np.zeros(0, np.int64)
        col = {k: (np.concatenate(v)[flat] if v else np.zeros(0)) for k, v in parts.items()}
        return cls(markets, mk, pos, col["ts"].astype(np.int64), col["kind"].astype(np.int64), col["tpx"],
                   col["tvol"], col["tside"].astype(np.int64), col["brow"].astype(np.int64),
                   np.asarray(offsets, np.int64), books, *stacked,
                   np.ascontiguousarray(stacked[0][:, 0]), np.ascontiguousarray(stacked[2][:, 0]),
                   {m: j for j, m in enumerate(markets)})


def _stack(mats: list, levels: int) -> np.ndarray:
    """One float64 matrix of every market's book rows, each padded with NaN to `levels` columns."""
    out = []
    for a in mats:
        if a is None or not len(a):
            continue
        a = np.asarray(a, np.float64)
        if a.shape[1] < levels:
            a = np.hstack([a, np.full((a.shape[0], levels - a.shape[1]), np.nan)])
        out.append(a)
    return np.ascontiguousarray(np.concatenate(out)) if out else np.full((1, levels), np.nan)
