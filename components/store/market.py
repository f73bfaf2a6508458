"""Market-data half of the store: batch insert of candle/trade/book batches, range reads back into batches."""
from __future__ import annotations

import numpy as np

from components.types.events import BookBatch, CandleBatch, TradeBatch
from components.types.stream import MarketStream


def _occurrence(ts: np.ndarray) -> np.ndarray:
    """0,1,2.. within runs of equal stamps (books sharing a ms keep their order and a unique key)."""
    if len(ts) == 0:
        return np.zeros(0, np.int64)
    start = np.r_[True, ts[1:] != ts[:-1]]
    idx = np.arange(len(ts))
    return idx - np.maximum.accumulate(np.where(start, idx, 0))


def _nan_to_none(x: float) -> float | None:
    return None if x != x else float(x)


class MarketData:
    """Mixin: needs `engine`, `_insert(table, rows, ignore_conflicts)` and `_before_market_insert`."""

    def _before_market_insert(self, table: str, first_ms: int, last_ms: int) -> None:
        """Hook: PostgreSQL creates the time partitions the rows need (ahead of time)."""

    def _market_insert(self, name: str, rows: list[dict], ts: np.ndarray) -> int:
        from components.store import models
        if len(rows) == 0:
            return 0
        self._before_market_insert(name, int(ts.min()), int(ts.max()))
        table = {"candles": models.CandleRow, "trades": models.TradeRow, "books": models.BookRow}[name].__table__
        # Re-importing the same file is idempotent: rows already there (same key) are skipped.
        return self._insert(table, rows, ignore_conflicts=True)

    def insert_candles(self, batch: CandleBatch) -> int:
        rows = [{"market": batch.market, "interval_s": int(batch.interval_s), "ts_ms": int(t), "open": float(o),
                 "high": float(h), "low": float(lo), "close": float(c), "volume": float(v),
                 "value_krw": _nan_to_none(float(val))}
                for t, o, h, lo, c, v, val in zip(batch.ts_ms, batch.open, batch.high, batch.low, batch.close,
                                                  batch.volume, batch.value_krw)]
        return self._market_insert("candles", rows, batch.ts_ms)

    def insert_trades(self, batch: TradeBatch) -> int:
        rows = [{"market": batch.market, "ts_ms": int(t), "seq": int(s), "price": float(p), "volume": float(v),
                 "side": int(sd)} for t, s, p, v, sd in zip(batch.ts_ms, batch.seq, batch.price, batch.volume,
                                                            batch.side)]
        return self._market_insert("trades", rows, batch.ts_ms)

    def insert_books(self, batch: BookBatch) -> int:
        k = _occurrence(np.asarray(batch.ts_ms))
        rows = [{"market": batch.market, "ts_ms": int(batch.ts_ms[i]), "k": int(k[i]),
                 "bid_px": batch.bid_px[i].tolist(), "bid_sz": batch.bid_sz[i].tolist(),
                 "ask_px": batch.ask_px[i].tolist(), "ask_sz": batch.ask_sz[i].tolist()} for i in range(len(batch))]
        return self._market_insert("books", rows, batch.ts_ms)

    # -- reads ----------------------------------------------------------------------------------------
    def _range(self, model, market: str, start_ms: int | None, end_ms: int | None, order: list[str], **eq):
        from sqlalchemy import select
        t = model.__table__
        where = [t.c.market == market] + [t.c[k] == v for k, v in eq.items()]
        if start_ms is not None:
            where.append(t.c.ts_ms >= int(start_ms))
        if end_ms is not None:
            where.append(t.c.ts_ms < int(end_ms))
        stmt = select(t).where(*where).order_by(*(t.c[o] for o in order))
        with self.engine.connect() as conn:
            return conn.execute(stmt).all()

    def read_candles(self, market: str, start_ms: int | None = None, end_ms: int | None = None,
                     interval_s: int = 60) -> CandleBatch:
        """Candles whose OPEN time is in [start_ms, end_ms)."""
        from components.store.models import CandleRow
        rows = self._range(CandleRow, market, start_ms, end_ms, ["ts_ms"], interval_s=interval_s)
        cols = list(zip(*[(r.ts_ms, r.open, r.high, r.low, r.close, r.volume,
                           np.nan if r.value_krw is None else r.value_krw) for r in rows])) or [()] * 7
        f = [np.asarray(c, np.float64) for c in cols[1:]]
        return CandleBatch(market, np.asarray(cols[0], np.int64), *f, interval_s=interval_s)

    def read_trades(self, market: str, start_ms: int | None = None, end_ms: int | None = None) -> TradeBatch:
        from components.store.models import TradeRow
        rows = self._range(TradeRow, market, start_ms, end_ms, ["ts_ms", "seq"])
        cols = list(zip(*[(r.ts_ms, r.price, r.volume, r.side, r.seq) for r in rows])) or [()] * 5
        return TradeBatch(market, np.asarray(cols[0], np.int64), np.asarray(cols[1], np.float64),
                          np.asarray(cols[2], np.float64), np.asarray(cols[3], np.int8), np.asarray(cols[4], np.int64))

    def read_books(self, market: str, start_ms: int | None = None, end_ms: int | None = None) -> BookBatch:
        from components.store.models import BookRow
        rows = self._range(BookRow, market, start_ms, end_ms, ["ts_ms", "k"])
        levels = len(rows[0].bid_px) if rows else 0
        mats = [np.asarray([getattr(r, c) for r in rows], np.float64).reshape(len(rows), levels)
                for c in ("bid_px", "bid_sz", "ask_px", "ask_sz")]
        return BookBatch(market, np.asarray([r.ts_ms for r in rows], np.int64), *mats)

    def read_stream(self, market: str, start_ms: int | None = None, end_ms: int | None = None,
                    kinds: tuple[str, ...] = ("candle", "trade", "book"), interval_s: int = 60) -> MarketStream:
        """One market's events from the store, merged exactly like the file replay (same tie rule)."""
        c = self.read_candles(market, start_ms, end_ms, interval_s) if "candle" in kinds else None
        t = self.read_trades(market, start_ms, end_ms) if "trade" in kinds else None
        b = self.read_books(market, start_ms, end_ms) if "book" in kinds else None
        return MarketStream.build(market, c if c is not None and len(c) else None,
                                  t if t is not None and len(t) else None, b if b is not None and len(b) else None)

    def data_summary(self) -> list[dict]:
        """Per (table, market[, interval]): rows, first_ms, last_ms — what `scalp data info` prints for a store."""
        from sqlalchemy import func, select
        from components.store import models
        out = []
        with self.engine.connect() as conn:
            for kind, model in (("candle", models.CandleRow), ("trade", models.TradeRow), ("book", models.BookRow)):
                t = model.__table__
                keys = [t.c.market] + ([t.c.interval_s] if kind == "candle" else [])
                stmt = select(*keys, func.count(), func.min(t.c.ts_ms), func.max(t.c.ts_ms)).group_by(*keys)
                for r in conn.execute(stmt):
                    out.append({"kind": kind, "market": r[0], "interval_s": r[1] if kind == "candle" else None,
                                "rows": int(r[-3]), "first_ms": int(r[-2]), "last_ms": int(r[-1])})
        return sorted(out, key=lambda d: (d["market"], d["kind"]))

    def markets(self) -> list[str]:
        return sorted({d["market"] for d in self.data_summary()})
