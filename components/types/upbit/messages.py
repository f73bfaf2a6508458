"""THE raw Upbit WebSocket message parser (SIMPLE and DEFAULT field names) used by the WS client and capture loaders."""
from __future__ import annotations

from calendar import timegm
from time import strptime

import numpy as np

from components.types.events import ASK, BID, BookSnapshot, Candle, Trade

# SIMPLE -> DEFAULT names of the fields read here (UPBIT_API.md §7.3-7.6).
SIMPLE = {
    "ty": "type", "cd": "code", "tms": "timestamp", "st": "stream_type",
    "tp": "trade_price", "tv": "trade_volume", "ab": "ask_bid", "sid": "sequential_id",
    "ttms": "trade_timestamp", "td": "trade_date", "ttm": "trade_time",
    "obu": "orderbook_units", "ap": "ask_price", "bp": "bid_price", "as": "ask_size", "bs": "bid_size",
    "tas": "total_ask_size", "tbs": "total_bid_size", "lv": "level",
    "cdttmu": "candle_date_time_utc", "cdttmk": "candle_date_time_kst", "op": "opening_price",
    "hp": "high_price", "lp": "low_price", "catv": "candle_acc_trade_volume", "catp": "candle_acc_trade_price",
}
CANDLE_UNITS_S = {"1s": 1, "1m": 60, "3m": 180, "5m": 300, "10m": 600, "15m": 900, "30m": 1800,
                  "60m": 3600, "240m": 14400}
SIDES = {"BID": BID, "ASK": ASK}

# Full SIMPLE -> DEFAULT maps per message type (UPBIT_API.md §7.3-7.8): keys collide across types
# (`ap` = ask_price in a book unit but avg_price in myOrder), so renaming is always per type.
_COMMON = {"ty": "type", "cd": "code", "tms": "timestamp", "st": "stream_type"}
SIMPLE_BY_TYPE: dict[str, dict[str, str]] = {
    "ticker": {**_COMMON, "op": "opening_price", "hp": "high_price", "lp": "low_price", "tp": "trade_price",
               "pcp": "prev_closing_price", "c": "change", "cp": "change_price", "scp": "signed_change_price",
               "cr": "change_rate", "scr": "signed_change_rate", "tv": "trade_volume", "atv": "acc_trade_volume",
               "atv24h": "acc_trade_volume_24h", "atp": "acc_trade_price", "atp24h": "acc_trade_price_24h",
               "tdt": "trade_date", "ttm": "trade_time", "ttms": "trade_timestamp", "ab": "ask_bid",
               "aav": "acc_ask_volume", "abv": "acc_bid_volume", "h52wp": "highest_52_week_price",
               "h52wdt": "highest_52_week_date", "l52wp": "lowest_52_week_price",
               "l52wdt": "lowest_52_week_date", "ms": "market_state", "its": "is_trading_suspended",
               "dd": "delisting_date", "mw": "market_warning"},
    "trade": {**_COMMON, "tp": "trade_price", "tv": "trade_volume", "ab": "ask_bid", "pcp": "prev_closing_price",
              "c": "change", "cp": "change_price", "td": "trade_date", "ttm": "trade_time",
              "ttms": "trade_timestamp", "sid": "sequential_id", "bap": "best_ask_price", "bas": "best_ask_size",
              "bbp": "best_bid_price", "bbs": "best_bid_size"},
    "orderbook": {**_COMMON, "tas": "total_ask_size", "tbs": "total_bid_size", "obu": "orderbook_units",
                  "lv": "level"},
    "candle": {**_COMMON, "cdttmu": "candle_date_time_utc", "cdttmk": "candle_date_time_kst",
               "op": "opening_price", "hp": "high_price", "lp": "low_price", "tp": "trade_price",
               "catv": "candle_acc_trade_volume", "catp": "candle_acc_trade_price"},
    "myOrder": {**_COMMON, "uid": "uuid", "ab": "ask_bid", "ot": "order_type", "s": "state", "tuid": "trade_uuid",
                "p": "price", "ap": "avg_price", "v": "volume", "rv": "remaining_volume", "ev": "executed_volume",
                "tc": "trades_count", "rsf": "reserved_fee", "rmf": "remaining_fee", "pf": "paid_fee", "l": "locked",
                "ef": "executed_funds", "tif": "time_in_force", "tf": "trade_fee", "im": "is_maker",
                "id": "identifier", "smpt": "smp_type", "pv": "prevented_volume", "pl": "prevented_locked",
                "ttms": "trade_timestamp", "otms": "order_timestamp"},
    "myAsset": {**_COMMON, "astuid": "asset_uuid", "ast": "assets", "asttms": "asset_timestamp"},
}
_UNIT_SIMPLE = {"ap": "ask_price", "bp": "bid_price", "as": "ask_size", "bs": "bid_size"}
_ASSET_SIMPLE = {"cu": "currency", "b": "balance", "l": "locked"}
DEFAULT_BY_TYPE = {t: {v: k for k, v in m.items()} for t, m in SIMPLE_BY_TYPE.items()}
_UNIT_DEFAULT = {v: k for k, v in _UNIT_SIMPLE.items()}
_ASSET_DEFAULT = {v: k for k, v in _ASSET_SIMPLE.items()}


class MessageError(ValueError):
    """A market message that cannot be turned into an event (missing/mistyped field): never a silent wrong value."""


def _get(obj: dict, name: str, simple: str | None = None):
    """Field by DEFAULT name or its SIMPLE abbreviation."""
    if name in obj:
        return obj[name]
    if simple is not None and simple in obj:
        return obj[simple]
    raise MessageError(f"{obj.get('type', obj.get('ty'))} message without '{name}'/'{simple}'")


def _num(obj: dict, name: str, simple: str) -> float:
    v = _get(obj, name, simple)
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise MessageError(f"field '{name}' is not a number: {type(v).__name__}")
    try:
        x = float(v)
    except ValueError:
        raise MessageError(f"field '{name}' is not a number") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise MessageError(f"field '{name}' is not finite")
    return x


def _int(obj: dict, name: str, simple: str) -> int:
    x = _num(obj, name, simple)
    if x != int(x):
        raise MessageError(f"field '{name}' is not an integer")
    return int(x)


def _code(obj: dict) -> str:
    """Market code: `code`/`cd` on WebSocket messages, `market` on REST replies."""
    if "market" in obj and "code" not in obj and "cd" not in obj:
        return str(obj["market"])
    return str(_get(obj, "code", "cd"))


def parse_trade(obj: dict) -> Trade:
    side = _get(obj, "ask_bid", "ab")
    if side not in SIDES:
        raise MessageError(f"trade ask_bid must be BID or ASK, got {side!r}")
    # Trade time: trade_timestamp (the match), not `timestamp` (when the message was built).
    ts = _int(obj, "trade_timestamp", "ttms") if ("trade_timestamp" in obj or "ttms" in obj) \
        else _int(obj, "timestamp", "tms")
    return Trade(_code(obj), ts, _num(obj, "trade_price", "tp"),
                 _num(obj, "trade_volume", "tv"), SIDES[side], _int(obj, "sequential_id", "sid"))


def parse_orderbook(obj: dict) -> BookSnapshot:
    units = _get(obj, "orderbook_units", "obu")
    if not isinstance(units, list) or not units:
        raise MessageError("orderbook message without units")
    try:
        cols = np.array([[_num(u, "bid_price", "bp"), _num(u, "bid_size", "bs"), _num(u, "ask_price", "ap"),
                          _num(u, "ask_size", "as")] for u in units], dtype=np.float64)
    except (TypeError, AttributeError):
        raise MessageError("orderbook unit is not an object") from None
    return BookSnapshot(_code(obj), _int(obj, "timestamp", "tms"),
                        cols[:, 0].copy(), cols[:, 1].copy(), cols[:, 2].copy(), cols[:, 3].copy())


def parse_candle(obj: dict, kind: str) -> Candle:
    unit = kind.split(".", 1)[1] if "." in kind else ""
    if unit not in CANDLE_UNITS_S:
        raise MessageError(f"unknown candle unit in type {kind!r}")
    stamp = str(_get(obj, "candle_date_time_utc", "cdttmu"))
    try:
        open_ms = timegm(strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) * 1000
    except ValueError:
        raise MessageError(f"candle_date_time_utc is not ISO: {stamp!r}") from None
    value = obj.get("candle_acc_trade_price", obj.get("catp"))
    return Candle(_code(obj), open_ms, _num(obj, "opening_price", "op"),
                  _num(obj, "high_price", "hp"), _num(obj, "low_price", "lp"), _num(obj, "trade_price", "tp"),
                  _num(obj, "candle_acc_trade_volume", "catv"),
                  float(value) if value is not None else float("nan"), CANDLE_UNITS_S[unit])


def _type_family(kind) -> str | None:
    if not isinstance(kind, str):
        return None
    return "candle" if kind.startswith("candle.") else (kind if kind in SIMPLE_BY_TYPE else None)


def _rename(obj: dict, names: dict[str, str]) -> dict:
    return {names.get(k, k): v for k, v in obj.items()}


def to_default(obj: dict) -> dict:
    """Rename a SIMPLE-format message to DEFAULT field names (idempotent on DEFAULT messages)."""
    fam = _type_family(obj.get("type", obj.get("ty")))
    if fam is None:
        return obj
    out = _rename(obj, SIMPLE_BY_TYPE[fam])
    if fam == "orderbook" and isinstance(out.get("orderbook_units"), list):
        out["orderbook_units"] = [_rename(u, _UNIT_SIMPLE) if isinstance(u, dict) else u
                                  for u in out["orderbook_units"]]
    if fam == "myAsset" and isinstance(out.get("assets"), list):
        out["assets"] = [_rename(a, _ASSET_SIMPLE) if isinstance(a, dict) else a for a in out["assets"]]
    return out


def to_simple(obj: dict) -> dict:
    """Rename a DEFAULT-format message to SIMPLE field names (what a `{"format":"SIMPLE"}` stream sends)."""
    fam = _type_family(obj.get("type", obj.get("ty")))
    if fam is None:
        return obj
    out = _rename(obj, DEFAULT_BY_TYPE[fam])
    if fam == "orderbook" and isinstance(out.get("obu"), list):
        out["obu"] = [_rename(u, _UNIT_DEFAULT) for u in out["obu"]]
    if fam == "myAsset" and isinstance(out.get("ast"), list):
        out["ast"] = [_rename(a, _ASSET_DEFAULT) for a in out["ast"]]
    return out


def _rest_kind(obj: dict) -> str | None:
    """REST quotation replies carry no `type`: recognise them by their fields (tolerant parsing)."""
    if "orderbook_units" in obj:
        return "orderbook"
    if "sequential_id" in obj and "trade_price" in obj:
        return "trade"
    if "candle_date_time_utc" in obj:
        unit = obj.get("unit")
        return f"candle.{unit}m" if unit else "candle.1m"
    return None


def parse_message(obj: dict) -> Trade | BookSnapshot | Candle | dict | None:
    """One decoded Upbit JSON object (WS DEFAULT/SIMPLE or a REST quotation item) -> an event.

    trade/orderbook/candle -> Trade/BookSnapshot/Candle; ticker, myOrder, myAsset -> a dict with DEFAULT
    field names; anything else (status UP, error, LIST_SUBSCRIPTIONS) -> the dict itself; None for a
    non-object. Malformed market messages raise MessageError."""
    if not isinstance(obj, dict):
        return None
    kind = obj.get("type", obj.get("ty"))
    if kind is None:
        kind = _rest_kind(obj)
    if kind == "trade":
        return parse_trade(obj)
    if kind == "orderbook":
        return parse_orderbook(obj)
    if isinstance(kind, str) and kind.startswith("candle."):
        return parse_candle(obj, kind)
    if kind in ("ticker", "myOrder", "myAsset"):
        out = to_default(obj)
        if not out.get("code") and kind != "myAsset":
            raise MessageError(f"{kind} message without 'code'/'cd'")
        return out
    return obj


def decode_frame(data: bytes | str) -> list[dict]:
    """A WebSocket frame (binary UTF-8 JSON; LIST formats send arrays) -> list of objects."""
    import json
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data).decode("utf-8")
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise MessageError(f"frame is not JSON: {exc}") from None
    if isinstance(obj, list):
        return [o for o in obj if isinstance(o, dict)]
    if isinstance(obj, dict):
        return [obj]
    raise MessageError(f"frame is JSON {type(obj).__name__}, not an object")


def parse_capture_line(line: str) -> dict | None:
    """One line of a cryptofeed-style capture (`<recv_s>: b'<json>'`) -> the JSON object, or None for
    header/request lines. A received line that does not decode raises MessageError."""
    import ast
    head, sep, body = line.partition(": ")
    if not sep or not body.startswith("b'") and not body.startswith('b"'):
        return None
    try:
        float(head)
    except ValueError:
        return None
    try:
        raw = ast.literal_eval(body.strip())
    except (ValueError, SyntaxError):
        raise MessageError("capture line is not a bytes literal") from None
    objs = decode_frame(raw)
    return objs[0] if len(objs) == 1 else {"type": "list", "items": objs}
