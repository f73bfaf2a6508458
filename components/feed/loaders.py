"""Readers for the recorded CSV.gz formats (candles, trades, books) into columnar batches."""
from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np

from components.types.events import ASK, BID, BookBatch, CandleBatch, TradeBatch


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [r for r in reader if r]


def load_candles(path: str | Path, market: str | None = None, interval_s: int = 60) -> CandleBatch:
    path = Path(path)
    header, rows = _rows(path)
    col = {h: i for i, h in enumerate(header)}
    n = len(rows)
    out = {k: np.empty(n, np.float64) for k in ("open", "high", "low", "close", "volume", "value_krw")}
    ts = np.empty(n, np.int64)
    for j, r in enumerate(rows):
        ts[j] = int(r[col["ts_ms"]])
        for k in out:
            v = r[col[k]] if k in col else ""
            out[k][j] = float(v) if v != "" else np.nan
    return CandleBatch(market or path.name.split(".")[0], ts, out["open"], out["high"], out["low"],
                       out["close"], out["volume"], out["value_krw"], interval_s)


def load_trades(path: str | Path, market: str | None = None) -> TradeBatch:
    path = Path(path)
    header, rows = _rows(path)
    col = {h: i for i, h in enumerate(header)}
    n = len(rows)
    ts, seq = np.empty(n, np.int64), np.empty(n, np.int64)
    px, vol, side = np.empty(n), np.empty(n), np.empty(n, np.int8)
    for j, r in enumerate(rows):
        ts[j] = int(r[col["ts_ms"]]); px[j] = float(r[col["price"]]); vol[j] = float(r[col["volume"]])
        side[j] = BID if r[col["side"]] == "BID" else ASK
        seq[j] = int(r[col["seq"]])
    name = market or path.name.split(".")[0].removeprefix("trades_")
    return TradeBatch(name, ts, px, vol, side, seq)


def load_books(path: str | Path, market: str | None = None) -> BookBatch:
    path = Path(path)
    header, rows = _rows(path)
    levels = sum(1 for h in header if h.startswith("bid_px_"))
    arr = np.asarray(rows, dtype=np.float64) if rows else np.zeros((0, 1 + 4 * levels))
    name = market or path.name.split(".")[0].removeprefix("orderbook_")
    L = levels
    return BookBatch(name, arr[:, 0].astype(np.int64), arr[:, 1:1 + L], arr[:, 1 + L:1 + 2 * L],
                     arr[:, 1 + 2 * L:1 + 3 * L], arr[:, 1 + 3 * L:1 + 4 * L])
