"""Readers for the recorded CSV.gz formats (candles, trades, books) into columnar batches, row-validated."""
from __future__ import annotations

import csv
import gzip
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from components.types.feed.errors import BadRows, DataError
from components.types.events import ASK, BID, BookBatch, CandleBatch, TradeBatch

if TYPE_CHECKING:
    from components.types.feed.quality import QualityReport

CANDLE_COLS = ("ts_ms", "open", "high", "low", "close", "volume")
TRADE_COLS = ("ts_ms", "price", "volume", "side", "seq")
SIDES = {"BID": BID, "ASK": ASK}
MARKET_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)?")
# Epoch-ms stamps a recording can carry: 2010-01-01 .. 2100-01-01 UTC. A stamp 1,000x too small is in seconds,
# 1,000x too large in microseconds — a unit mistake in the whole file, refused rather than replayed as 1970.
MIN_TS_MS, MAX_TS_MS = 1_262_304_000_000, 4_102_444_800_000


def market_of(path: Path, prefix: str = "") -> str:
    """`KRW-BTC.csv.gz` -> KRW-BTC; `trades_KRW-ADA.csv.gz` -> KRW-ADA; `KRW-BTC_2020-2025_gappy` -> KRW-BTC."""
    stem = path.name.split(".")[0].removeprefix(prefix)
    m = MARKET_RE.match(stem)
    return m.group(0) if m else stem


def open_text(path: Path):
    return gzip.open(path, "rt", newline="", encoding="utf-8") if str(path).endswith(".gz") \
        else open(path, "rt", newline="", encoding="utf-8")


def _csv(path: Path, required: tuple[str, ...]) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """Header index and (line number, fields) of every non-empty data row."""
    fh = open_text(path)
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise DataError(path, 1, "empty file (no header)") from None
    except (OSError, EOFError, csv.Error, UnicodeDecodeError) as e:
        fh.close()
        raise DataError(path, 1, f"unreadable: {e}") from None
    col = {h.strip(): i for i, h in enumerate(header)}
    missing = [c for c in required if c not in col]
    if missing:
        fh.close()
        raise DataError(path, 1, f"header lacks columns {missing}; has {list(col)}")

    def rows() -> Iterator[tuple[int, list[str]]]:
        with fh:
            try:
                for r in reader:
                    if r:
                        yield reader.line_num, r
            except (OSError, EOFError, csv.Error) as e:   # truncated gzip, NUL bytes, ...
                raise DataError(path, reader.line_num + 1, f"unreadable: {e}") from None
    return col, rows()


def _int(s: str) -> int:
    try:
        return int(s)
    except ValueError:
        x = float(s)               # "1.6e12" style stamps are accepted only when exactly integral
        if not x.is_integer():
            raise ValueError(f"not an integer: {s!r}") from None
        return int(x)


def _ts(s: str, path: Path, line: int) -> int:
    """An epoch-ms stamp in range; a stamp in seconds or microseconds stops the load (whole-file unit error)."""
    t = _int(s)
    if MIN_TS_MS <= t < MAX_TS_MS:
        return t
    for unit, scale in (("seconds", 1000), ("microseconds", 1 / 1000)):
        if MIN_TS_MS <= t * scale < MAX_TS_MS:
            raise DataError(path, line, f"ts_ms {t} looks like epoch {unit}; ts_ms must be epoch milliseconds")
    raise ValueError(f"ts_ms {s!r} out of range (2010-01-01 .. 2100-01-01 UTC in epoch ms)")


def _fin(s: str, what: str) -> float:
    x = float(s)
    if not math.isfinite(x):
        raise ValueError(f"{what} is not finite: {s!r}")
    return x


def load_candles(path: str | Path, market: str | None = None, interval_s: int = 60, *,
                 on_bad_row: str = "raise", report: "QualityReport | None" = None) -> CandleBatch:
    """Candles `ts_ms,open,high,low,close,volume[,value_krw]` (ts = open time); empty value_krw -> NaN."""
    path = Path(path)
    bad = BadRows(path, on_bad_row, report)
    col, rows = _csv(path, CANDLE_COLS)
    idx = [col[c] for c in CANDLE_COLS]
    ival = col.get("value_krw")
    ts, vals = [], []
    for line, r in rows:
        try:
            if len(r) != len(col):
                raise ValueError(f"{len(r)} fields, header has {len(col)}")
            t = _ts(r[idx[0]], path, line)
            o, h, lo, c, v = (_fin(r[i], n) for i, n in zip(idx[1:], CANDLE_COLS[1:]))
            val = _fin(r[ival], "value_krw") if ival is not None and r[ival] != "" else math.nan
            if min(o, h, lo, c) <= 0 or v < 0:
                raise ValueError("non-positive price or negative volume")
            if val < 0:
                raise ValueError(f"negative value_krw {val}")
            if h < max(o, c, lo) or lo > min(o, c):
                raise ValueError(f"high/low do not bound open/close (o={o} h={h} l={lo} c={c})")
        except DataError:
            raise
        except (ValueError, IndexError) as e:
            bad(line, f"bad candle row: {e}")
            continue
        ts.append(t)
        vals.append((o, h, lo, c, v, val))
    arr = np.asarray(vals, np.float64).reshape(len(vals), 6)
    return CandleBatch(market or market_of(path), np.asarray(ts, np.int64), *(arr[:, i].copy() for i in range(6)),
                       interval_s=interval_s)


def load_trades(path: str | Path, market: str | None = None, *, on_bad_row: str = "raise",
                report: "QualityReport | None" = None) -> TradeBatch:
    """Trades `ts_ms,price,volume,side,seq` (side = taker side BID/ASK)."""
    path = Path(path)
    bad = BadRows(path, on_bad_row, report)
    col, rows = _csv(path, TRADE_COLS)
    it, ip, iv, isd, isq = (col[c] for c in TRADE_COLS)
    ts, px, vol, side, seq = [], [], [], [], []
    for line, r in rows:
        try:
            if len(r) != len(col):
                raise ValueError(f"{len(r)} fields, header has {len(col)}")
            t, p, v = _ts(r[it], path, line), _fin(r[ip], "price"), _fin(r[iv], "volume")
            s, q = SIDES.get(r[isd]), _int(r[isq])
            if s is None:
                raise ValueError(f"side must be BID or ASK, got {r[isd]!r}")
            if not 0 <= q < 2**63:
                raise ValueError(f"seq {r[isq]!r} out of range")
            if p <= 0 or v <= 0:
                raise ValueError("non-positive price or volume")
        except DataError:
            raise
        except (ValueError, IndexError) as e:
            bad(line, f"bad trade row: {e}")
            continue
        ts.append(t); px.append(p); vol.append(v); side.append(s); seq.append(q)
    return TradeBatch(market or market_of(path, "trades_"), np.asarray(ts, np.int64), np.asarray(px, np.float64),
                      np.asarray(vol, np.float64), np.asarray(side, np.int8), np.asarray(seq, np.int64))


def load_books(path: str | Path, market: str | None = None, *, on_bad_row: str = "raise",
               report: "QualityReport | None" = None) -> BookBatch:
    """Books `ts_ms,bid_px_1..L,bid_sz_1..L,ask_px_1..L,ask_sz_1..L` (level 1 = best)."""
    path = Path(path)
    bad = BadRows(path, on_bad_row, report)
    col, rows = _csv(path, ("ts_ms", "bid_px_1", "ask_px_1"))
    levels = sum(1 for h in col if h.startswith("bid_px_"))
    names = [f"{s}_{i}" for s in ("bid_px", "bid_sz", "ask_px", "ask_sz") for i in range(1, levels + 1)]
    missing = [n for n in names if n not in col]
    if missing:
        raise DataError(path, 1, f"header lacks book columns {missing[:4]}...")
    order = [col[n] for n in names]
    its = col["ts_ms"]
    ts, mats = [], []
    for line, r in rows:
        try:
            if len(r) != len(col):
                raise ValueError(f"{len(r)} fields, header has {len(col)}")
            t = _ts(r[its], path, line)
            v = np.array([r[i] for i in order], dtype=np.float64)
            if not np.isfinite(v).all():
                raise ValueError("non-finite price/size")
            px = np.concatenate([v[:levels], v[2 * levels:3 * levels]])
            if (px <= 0).any() or (v[levels:2 * levels] < 0).any() or (v[3 * levels:] < 0).any():
                raise ValueError("non-positive price or negative size")
        except DataError:
            raise
        except (ValueError, IndexError) as e:
            bad(line, f"bad book row: {e}")
            continue
        ts.append(t)
        mats.append(v)
    m = np.asarray(mats, np.float64).reshape(len(mats), 4 * levels)
    L = levels
    return BookBatch(market or market_of(path, "orderbook_"), np.asarray(ts, np.int64),
                     m[:, :L].copy(), m[:, L:2 * L].copy(), m[:, 2 * L:3 * L].copy(), m[:, 3 * L:].copy())
