"""Upbit REST JSON replies: `/v1/candles/minutes/{unit}` lists -> CandleBatch, `/v1/market/all` -> market list."""
from __future__ import annotations

import json
from calendar import timegm
from pathlib import Path
from time import strptime

import numpy as np

from components.types.feed.errors import DataError
from components.types.events import CandleBatch

FIELDS = ("candle_date_time_utc", "opening_price", "high_price", "low_price", "trade_price",
          "candle_acc_trade_volume")


def _open_ms(stamp: str) -> int:
    return timegm(strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) * 1000


def load_rest_candles(path: str | Path, market: str | None = None) -> CandleBatch:
    """A candles reply (newest first, as Upbit sends it) -> one market's batch sorted by open time.

    Open time comes from `candle_date_time_utc` (the bar's start), never from `timestamp` (last trade time).
    """
    path = Path(path)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(path, None, f"not a JSON candles reply: {e}") from None
    if not isinstance(rows, list):
        raise DataError(path, None, "expected a JSON array of candles")
    markets = {r.get("market") for r in rows if isinstance(r, dict)}
    if len(markets) > 1:
        raise DataError(path, None, f"one market per file expected, found {sorted(map(str, markets))}")
    units = {r.get("unit", 1) for r in rows if isinstance(r, dict)}
    if len(units) > 1:
        raise DataError(path, None, f"mixed candle units {sorted(units)}")
    vals, ts = [], []
    for i, r in enumerate(rows):
        try:
            ts.append(_open_ms(str(r["candle_date_time_utc"])))
            vals.append([float(r[k]) for k in FIELDS[1:]] + [float(r.get("candle_acc_trade_price", "nan"))])
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(path, None, f"candle #{i}: missing or bad field {e}") from None
    order = np.argsort(np.asarray(ts, np.int64), kind="stable")
    arr = np.asarray(vals, np.float64).reshape(len(vals), 6)[order]
    unit = int(units.pop()) if units else 1
    name = market or (markets.pop() if markets else path.stem)
    return CandleBatch(name, np.asarray(ts, np.int64)[order], *(arr[:, i].copy() for i in range(6)),
                       interval_s=60 * unit)


def load_market_list(text_or_path: str | Path) -> list[dict]:
    """`/v1/market/all` reply (a JSON file, or the `https://.../v1/market/all -> <t>: [...]` capture line)."""
    p = Path(text_or_path)
    text = p.read_text(encoding="utf-8") if p.exists() else str(text_or_path)
    first = text.splitlines()[0] if text else ""
    if "/v1/market/all" in first and ": [" in first:
        text = first[first.index(": [") + 2:]
    rows = json.loads(text)
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "market" in r for r in rows):
        raise DataError(p if p.exists() else "<text>", None, "not a /v1/market/all reply")
    return rows
