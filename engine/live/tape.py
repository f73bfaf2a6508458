"""Market tape of a paper/live session: every market event the loop saw goes to the store's candles / trades /
books tables in batches, and the span it covered is stored with the run (`scalp parity` replays it)."""
from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np

from components.types.events import BOOK, CANDLE, TRADE, BookBatch, CandleBatch, TradeBatch

log = logging.getLogger("scalp.live")
ARTIFACT = "tape/{run_id}"


class MarketTape:
    """Buffers the loop's market events and writes them at every recorder flush and at close.

    Books that share a millisecond are told apart by their order within it (the books table's `k`): the
    trailing books of the newest stamp wait for the next flush, so one stamp is never split over two
    batches (a split would restart `k` at 0 and the store would drop the second part as a duplicate)."""

    def __init__(self, store: Any, run_id: int | None) -> None:
        self.store, self.run_id = store, run_id
        self.trades: dict[str, list] = {}
        self.books: dict[str, list] = {}
        self.candles: dict[tuple[str, int], list] = {}
        self.first_ms: int | None = None
        self.last_ms: int | None = None
        self.kinds: set[str] = set()
        self.markets: set[str] = set()
        self.events = 0
        self.errors = 0
        self.flag_history: list = []      # the session's entry-refusing market flags over time (SessionFlags)

    @property
    def active(self) -> bool:
        return self.store is not None and self.run_id is not None

    @classmethod
    def attach(cls, loop: Any, store: Any, run_id: int | None) -> "MarketTape":
        """Tape every event `loop.on_event` takes; flushed with the loop's recorder, closed with the loop."""
        tape = cls(store, run_id)
        if not tape.active:
            return tape
        on_event, close = loop.on_event, loop.close

        def taped(ev: Any) -> Any:
            tape.add(ev)
            return on_event(ev)

        def closing() -> Any:
            try:
                return close()
            finally:
                tape.close()
        loop.on_event, loop.close = taped, closing
        loop.recorder.on_flush.append(tape.flush)
        return tape

    def add(self, ev: Any) -> None:
        kind = getattr(ev, "kind", None)
        if kind == TRADE:
            self.trades.setdefault(ev.market, []).append(ev)
        elif kind == BOOK:
            self.books.setdefault(ev.market, []).append(ev)
        elif kind == CANDLE:
            self.candles.setdefault((ev.market, int(ev.interval_s)), []).append(ev)
        else:
            return
        ts = int(ev.ts_ms)
        self.first_ms = ts if self.first_ms is None else min(self.first_ms, ts)
        self.last_ms = ts if self.last_ms is None else max(self.last_ms, ts)
        self.kinds.add({TRADE: "trade", BOOK: "book", CANDLE: "candle"}[kind])
        self.markets.add(ev.market)
        self.events += 1

    def flush(self, final: bool = False) -> None:
        """Write what is buffered (a failed write is logged and counted; the session goes on)."""
        if not self.active:
            return
        try:
            for m, evs in self.trades.items():
                if evs:
                    self.store.insert_trades(_trade_batch(m, evs))
                    evs.clear()
            for (m, iv), evs in self.candles.items():
                if evs:
                    self.store.insert_candles(_candle_batch(m, iv, evs))
                    evs.clear()
            for m, evs in self.books.items():
                cut = len(evs)
                while not final and cut > 0 and evs[cut - 1].ts_ms == evs[-1].ts_ms:
                    cut -= 1
                if cut:
                    self.store.insert_books(_book_batch(m, evs[:cut]))
                    del evs[:cut]
        except Exception as e:  # noqa: BLE001  the tape serves parity; it must not stop trading
            self.errors += 1
            log.warning(json.dumps({"event": "tape_write_failed", "error": f"{type(e).__name__}: {e}"[:300]}))

    def close(self) -> None:
        """Last flush, then the span and kinds recorded (artifact `tape/<run id>`)."""
        if not self.active:
            return
        self.flush(final=True)
        try:
            self.store.save_artifact(ARTIFACT.format(run_id=self.run_id), "market_tape", self.meta(),
                                     run_id=self.run_id)
        except Exception as e:  # noqa: BLE001
            self.errors += 1
            log.warning(json.dumps({"event": "tape_meta_failed", "error": f"{type(e).__name__}: {e}"[:300]}))

    def meta(self) -> dict:
        return {"first_ms": self.first_ms, "last_ms": self.last_ms, "kinds": sorted(self.kinds),
                "markets": sorted(self.markets), "events": self.events, "write_errors": self.errors,
                "flags": [[int(ts), dict(m)] for ts, m in self.flag_history]}


def _trade_batch(m: str, evs: list) -> TradeBatch:
    return TradeBatch(m, np.fromiter((e.ts_ms for e in evs), np.int64, len(evs)),
                      np.fromiter((e.price for e in evs), np.float64, len(evs)),
                      np.fromiter((e.volume for e in evs), np.float64, len(evs)),
                      np.fromiter((e.side for e in evs), np.int8, len(evs)),
                      np.fromiter((e.seq for e in evs), np.int64, len(evs)))


def _book_batch(m: str, evs: list) -> BookBatch:
    levels = max(len(e.bid_px) for e in evs)

    def mat(attr: str) -> np.ndarray:
        out = np.full((len(evs), levels), np.nan)
        for i, e in enumerate(evs):
            row = np.asarray(getattr(e, attr), np.float64)
            out[i, :len(row)] = row
        return out
    return BookBatch(m, np.fromiter((e.ts_ms for e in evs), np.int64, len(evs)),
                     mat("bid_px"), mat("bid_sz"), mat("ask_px"), mat("ask_sz"))


def _candle_batch(m: str, interval_s: int, evs: list) -> CandleBatch:
    col = {k: np.fromiter((getattr(e, k) for e in evs), np.float64, len(evs))
           for k in ("open", "high", "low", "close", "volume", "value_krw")}
    return CandleBatch(m, np.fromiter((e.ts_ms for e in evs), np.int64, len(evs)), col["open"], col["high"],
                       col["low"], col["close"], col["volume"], col["value_krw"], interval_s=interval_s)
