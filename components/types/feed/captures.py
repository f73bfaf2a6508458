"""Raw Upbit WebSocket capture files (`<recv_epoch_s>: b'<json>'` lines) -> per-market batches via the Upbit parser."""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from components.types.feed.errors import BadRows
from components.types.feed.loaders import open_text
from components.types.events import BookBatch, BookSnapshot, Candle, CandleBatch, Trade, TradeBatch

if TYPE_CHECKING:
    from components.types.feed.quality import QualityReport

DATA_LINE = re.compile(r"^(?P<recv>\d+(?:\.\d+)?): (?P<lit>b(?P<q>['\"]).*(?P=q))\s*$")
# Session bookkeeping written by the recorder (subscription request, connect stamp, REST replies).
HEADER_LINE = re.compile(r"^(configuration: |wss?://|https?://)")


@dataclass
class CaptureEvents:
    """Events of one capture, per market, in arrival order."""
    trades: dict[str, list[Trade]] = field(default_factory=dict)
    books: dict[str, list[BookSnapshot]] = field(default_factory=dict)
    candles: dict[str, list[Candle]] = field(default_factory=dict)
    other: int = 0                     # ticker/status/... messages: valid, not market events here

    def markets(self) -> list[str]:
        return sorted(set(self.trades) | set(self.books) | set(self.candles))

    def trade_batch(self, market: str) -> TradeBatch:
        rows = self.trades.get(market, [])
        return TradeBatch(market, np.asarray([r.ts_ms for r in rows], np.int64),
                          np.asarray([r.price for r in rows], np.float64),
                          np.asarray([r.volume for r in rows], np.float64),
                          np.asarray([r.side for r in rows], np.int8), np.asarray([r.seq for r in rows], np.int64))

    def book_batch(self, market: str) -> BookBatch:
        rows = self.books.get(market, [])
        levels = min((len(r.bid_px) for r in rows), default=0)   # top-N common to every snapshot
        mat = {k: np.asarray([getattr(r, k)[:levels] for r in rows], np.float64).reshape(len(rows), levels)
               for k in ("bid_px", "bid_sz", "ask_px", "ask_sz")}
        return BookBatch(market, np.asarray([r.ts_ms for r in rows], np.int64), mat["bid_px"], mat["bid_sz"],
                         mat["ask_px"], mat["ask_sz"])

    def candle_batch(self, market: str, interval_s: int = 60) -> CandleBatch:
        rows = [c for c in self.candles.get(market, []) if c.interval_s == interval_s]
        col = {k: np.asarray([getattr(r, k) for r in rows], np.float64)
               for k in ("open", "high", "low", "close", "volume", "value_krw")}
        return CandleBatch(market, np.asarray([r.ts_ms for r in rows], np.int64), col["open"], col["high"],
                           col["low"], col["close"], col["volume"], col["value_krw"], interval_s)


def decode_line(text: str) -> dict | list | None:
    """The JSON payload of one data line, or None for a header line. Raises ValueError when malformed."""
    if not text.strip() or HEADER_LINE.match(text):
        return None
    m = DATA_LINE.match(text)
    if m is None:
        raise ValueError("not '<recv_epoch_s>: b'<json>'' nor a session header line")
    lit = m.group("lit")
    # Fast path: no escapes, so the bytes literal body is the UTF-8 JSON itself.
    raw = lit[2:-1] if "\\" not in lit else ast.literal_eval(lit).decode("utf-8")
    return json.loads(raw)


def load_capture(path: str | Path, *, on_bad_row: str = "raise",
                 report: "QualityReport | None" = None) -> CaptureEvents:
    """Parse every data line of a capture file with the Upbit message parser (SIMPLE or DEFAULT names)."""
    from components.types.upbit.messages import parse_message
    path = Path(path)
    bad = BadRows(path, on_bad_row, report)
    out = CaptureEvents()
    with open_text(path) as fh:
        for line_no, text in enumerate(fh, start=1):
            try:
                obj = decode_line(text.rstrip("\n"))
                if obj is None:
                    continue
                for item in (obj if isinstance(obj, list) else [obj]):   # *_LIST formats carry arrays
                    ev = parse_message(item)
                    if isinstance(ev, Trade):
                        out.trades.setdefault(ev.market, []).append(ev)
                    elif isinstance(ev, BookSnapshot):
                        out.books.setdefault(ev.market, []).append(ev)
                    elif isinstance(ev, Candle):
                        out.candles.setdefault(ev.market, []).append(ev)
                    else:
                        out.other += 1
            except (ValueError, SyntaxError, UnicodeDecodeError) as e:
                bad(line_no, f"bad capture line: {e}")
    return out


def is_capture(path: Path) -> bool:
    """A capture file: its first non-empty line is a session header or a data line."""
    try:
        with open_text(path) as fh:
            first = fh.readline(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return bool(HEADER_LINE.match(first) or DATA_LINE.match(first.rstrip("\n")))
