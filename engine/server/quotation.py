"""Quotation (public) endpoints of the server: JSON numbers, integer error names (UPBIT_API.md §2, §6)."""
from __future__ import annotations

from datetime import datetime, timezone

from components.types.tick import quote_currency, table_tick
from engine.server import history


class QuotationError(Exception):
    """A quotation error: Upbit answers `{"error":{"name":<HTTP status int>,"message":...}}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


MISSING = "Missing request parameter error. Check the required parameters!"
INVALID = "Invalid parameter. Check the given value!"


def need(p: dict, key: str) -> str:
    v = p.get(key)
    if v in (None, ""):
        raise QuotationError(400, MISSING)
    return v


def _markets(state, p: dict, key: str = "markets") -> list[str]:
    raw = p.get(key) or p.get(f"{key}[]")
    if raw in (None, "", []):
        raise QuotationError(400, MISSING)
    items = raw if isinstance(raw, list) else [raw]
    codes = [c.strip().upper() for item in items for c in str(item).split(",") if c.strip()]
    unknown = [c for c in codes if c not in state.market.stats]
    if unknown:
        raise QuotationError(404, "Code not found")
    return codes


def _int(p: dict, key: str, default: int, hi: int) -> int:
    try:
        return max(1, min(hi, int(p.get(key) or default)))
    except ValueError:
        raise QuotationError(400, INVALID) from None


def market_all(state, p, r):
    return state.market.market_all(str(p.get("is_details", "false")).lower() == "true")


def ticker(state, p, r):
    return [t for t in (state.market.ticker(m) for m in _markets(state, p)) if t]


def ticker_all(state, p, r):
    quotes = [q for q in str(p.get("quote_currencies") or "KRW,BTC,USDT").split(",") if q]
    return [t for t in (state.market.ticker(m) for m in state.market.markets if quote_currency(m) in quotes) if t]


def orderbook(state, p, r):
    level = str(p.get("level") or "0")
    if level not in ("0", "0.0"):
        return []  # unsupported grouping level -> empty array (§2.5)
    count = _int(p, "count", 30, 30)
    return [b for b in (state.market.orderbook(m, count) for m in _markets(state, p)) if b]


def instruments(state, p, r):
    out = []
    for m in _markets(state, p):
        st = state.market.stats.get(m)
        book = state.market.books.get(m)
        ref = st.last if st and st.last else (float(book.bid_px[0]) if book is not None else 1.0)
        tick = table_tick(ref, quote_currency(m))
        out.append({"market": m, "quote_currency": quote_currency(m), "tick_size": format(tick, "f").rstrip("0").rstrip(".") or "0",
                    "supported_levels": ["0"]})
    return out


def _hist(state, market: str):
    return state.market.stats[market].history if market in state.market.stats else ()


def _opt_int(p: dict, key: str, lo: int, hi: int) -> int | None:
    raw = p.get(key)
    if raw in (None, ""):
        return None
    try:
        v = int(raw)
    except ValueError:
        raise QuotationError(400, INVALID) from None
    if not lo <= v <= hi:
        raise QuotationError(400, INVALID)
    return v


def trades_ticks(state, p, r):
    m = _markets(state, p, "market")[0]
    cursor = _opt_int(p, "cursor", 0, 2**63 - 1)
    days_ago = _opt_int(p, "days_ago", 1, 7)
    to = p.get("to") or None
    if to is not None:
        try:
            history.parse_time_of_day(str(to))
        except ValueError:
            raise QuotationError(400, INVALID) from None
    rows = history.trades(_hist(state, m), state.market.now_ms, _int(p, "count", 1, 500), cursor, to, days_ago)
    return [state.market.rest_trade(t) for t in rows]


def _to_ms(p: dict) -> int | None:
    """`to`: ISO-8601 with `Z`/offset or `yyyy-MM-dd HH:mm:ss`, UTC when it carries no offset (§2.2)."""
    to = p.get("to")
    if not to:
        return None
    text = str(to).strip()
    if len(text) > 10 and text[10] == " ":
        text = text[:10] + "T" + text[11:]
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:      # an unencoded `+09:00` arrives as ` 09:00`: Upbit answers 400 as well
        raise QuotationError(400, INVALID) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def _candles(unit: str, unit_s: int):
    def handler(state, p, r):
        m = _markets(state, p, "market")[0]
        rows = history.candles(m, _hist(state, m), unit, unit_s, _int(p, "count", 1, 200), _to_ms(p))
        for row in rows:
            row["scalp_source"] = state.market.source      # the server's own marker (synthetic or recorded)
        return rows
    return handler


def minutes(state, p, r):
    unit = int(r.path_params["unit"])
    if unit not in (1, 3, 5, 10, 15, 30, 60, 240):
        raise QuotationError(400, INVALID)
    return _candles("minutes", unit * 60)(state, p, r)


ROUTES = [
    ("/v1/market/all", "market", market_all),
    ("/v1/ticker", "ticker", ticker),
    ("/v1/ticker/all", "ticker", ticker_all),
    ("/v1/orderbook", "orderbook", orderbook),
    ("/v1/orderbook/instruments", "orderbook", instruments),
    ("/v1/trades/ticks", "trade", trades_ticks),
    ("/v1/candles/seconds", "candle", _candles("seconds", 1)),
    ("/v1/candles/minutes/{unit:int}", "candle", minutes),
    ("/v1/candles/days", "candle", _candles("days", 86400)),
    ("/v1/candles/weeks", "candle", _candles("weeks", 7 * 86400)),
]
