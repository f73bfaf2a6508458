"""Upbit candle and trade pages -> CSV rows of the data layout, every field checked (a bad page stops the run)."""
from __future__ import annotations

import math
from calendar import timegm
from time import strptime

CANDLE_FIELDS = ("candle_date_time_utc", "opening_price", "high_price", "low_price", "trade_price",
                 "candle_acc_trade_volume")
TRADE_FIELDS = ("timestamp", "trade_price", "trade_volume", "ask_bid", "sequential_id")


class MalformedPage(ValueError):
    """A reply that is not the page asked for; the message names the endpoint and what is wrong."""

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"{endpoint}: {reason}")
        self.endpoint, self.reason = endpoint, reason


def _num(row: dict, key: str) -> float:
    v = row[key]
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError(f"{key} is {type(v).__name__}, not a number")
    x = float(v)
    if not math.isfinite(x):
        raise ValueError(f"{key} is not finite")
    return x


def _rows(endpoint: str, market: str, page, fields: tuple[str, ...]) -> list[dict]:
    if not isinstance(page, list):
        raise MalformedPage(endpoint, f"expected a JSON array, got {type(page).__name__}")
    for i, row in enumerate(page):
        if not isinstance(row, dict):
            raise MalformedPage(endpoint, f"row {i} is {type(row).__name__}, not an object")
        lacks = [f for f in fields if f not in row]
        if lacks:
            raise MalformedPage(endpoint, f"row {i} lacks {lacks}")
        if row.get("market", market) != market:
            raise MalformedPage(endpoint, f"row {i} is for {row.get('market')!r}, asked for {market}")
    return page


def candle_rows(endpoint: str, market: str, page) -> list[tuple]:
    """-> (ts_ms, open, high, low, close, volume, value_krw) per candle; ts_ms = open time (UTC)."""
    out = []
    for i, row in enumerate(_rows(endpoint, market, page, CANDLE_FIELDS)):
        try:
            ts = timegm(strptime(str(row["candle_date_time_utc"])[:19], "%Y-%m-%dT%H:%M:%S")) * 1000
            o, h, lo, c, v = (_num(row, k) for k in CANDLE_FIELDS[1:])
            val = _num(row, "candle_acc_trade_price") if row.get("candle_acc_trade_price") is not None else None
            if min(o, h, lo, c) <= 0 or v < 0 or h < max(o, c, lo) or lo > min(o, c):
                raise ValueError(f"prices do not form a candle (o={o} h={h} l={lo} c={c} v={v})")
        except ValueError as e:
            raise MalformedPage(endpoint, f"row {i}: {e}") from None
        out.append((ts, repr(o), repr(h), repr(lo), repr(c), repr(v), "" if val is None else repr(val)))
    return out


def trade_rows(endpoint: str, market: str, page) -> list[tuple]:
    """-> (ts_ms, price, volume, side, seq) per trade; side = taker side BID/ASK."""
    out = []
    for i, row in enumerate(_rows(endpoint, market, page, TRADE_FIELDS)):
        try:
            ts, seq = int(row["timestamp"]), int(row["sequential_id"])
            p, v = _num(row, "trade_price"), _num(row, "trade_volume")
            side = row["ask_bid"]
            if side not in ("BID", "ASK"):
                raise ValueError(f"ask_bid is {side!r}")
            if p <= 0 or v <= 0 or seq < 0:
                raise ValueError("non-positive price/volume or negative sequential_id")
        except (ValueError, TypeError) as e:
            raise MalformedPage(endpoint, f"row {i}: {e}") from None
        out.append((ts, repr(p), repr(v), side, seq))
    return out
