"""A market's trading state from Upbit's WebSocket ticker: market_state, delisting_date, is_trading_suspended."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger("scalp.feed")

# UPBIT_API.md §7.3: market_state (SIMPLE `ms`) is PREVIEW | ACTIVE | DELISTED; is_trading_suspended (`its`) is
# deprecated but still sent; delisting_date (`dd`) is null or a date. The date's format is not documented
# (UNCERTAIN): any non-empty string counts as "a delisting is scheduled" and is passed on as received.
MARKET_STATES = ("PREVIEW", "ACTIVE", "DELISTED")
FIELDS = {"market_state": "ms", "delisting_date": "dd", "is_trading_suspended": "its"}
# UPBIT_API.md §2 / §8.5: market/all?is_details=true `market_event.caution` holds these five bools (주의종목 kinds;
# the key is GLOBAL_PRICE_DIFFERENCES, not PRICE_DIFFERENCES).
CAUTION_KEYS = ("PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING", "DEPOSIT_AMOUNT_SOARING",
                "GLOBAL_PRICE_DIFFERENCES", "CONCENTRATION_OF_SMALL_ACCOUNTS")
CautionKey = Literal["PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING", "DEPOSIT_AMOUNT_SOARING",
                     "GLOBAL_PRICE_DIFFERENCES", "CONCENTRATION_OF_SMALL_ACCOUNTS"]


class TickerStateError(ValueError):
    """A ticker whose trading-state field has a value Upbit does not send (names market, field, value)."""


@dataclass(frozen=True, slots=True)
class MarketStatus:
    """One market's trading state as its latest ticker said (None: the ticker did not carry the field)."""
    market: str
    ts_ms: int
    market_state: str | None = None
    delisting_date: str | None = None
    is_trading_suspended: bool | None = None

    @property
    def flag(self) -> str:
        """Why the market takes no new entries ('' = it does): `delisted` (DELISTED or a delisting date),
        `suspended` (is_trading_suspended)."""
        if self.market_state == "DELISTED" or self.delisting_date:
            return "delisted"
        if self.is_trading_suspended:
            return "suspended"
        return ""

    def same_state(self, other: "MarketStatus | None") -> bool:
        return other is not None and (self.market_state, self.delisting_date, self.is_trading_suspended) == \
            (other.market_state, other.delisting_date, other.is_trading_suspended)


def _field(obj: dict, name: str) -> Any:
    return obj[name] if name in obj else obj.get(FIELDS[name])


def status_of(ticker: dict) -> MarketStatus:
    """The trading state of a ticker message (DEFAULT or SIMPLE names). Raises TickerStateError for a value
    Upbit does not send: an unknown market_state, a non-boolean is_trading_suspended, a non-string
    delisting_date."""
    market = str(ticker.get("code") or ticker.get("cd") or ticker.get("market") or "")
    if not market:
        raise TickerStateError("ticker without code")
    ts = ticker.get("timestamp", ticker.get("tms", 0))
    ts_ms = int(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) and ts == ts else 0

    def bad(name: str, value: Any, want: str) -> TickerStateError:
        return TickerStateError(f"{market}: ticker {name}={value!r} ({want})")

    state = _field(ticker, "market_state")
    if state is not None and state not in MARKET_STATES:
        raise bad("market_state", state, "expected one of " + ", ".join(MARKET_STATES))
    date = _field(ticker, "delisting_date")
    if date is not None and not isinstance(date, str):
        raise bad("delisting_date", date, "expected null or a date string")
    susp = _field(ticker, "is_trading_suspended")
    if susp is not None and not isinstance(susp, bool):
        raise bad("is_trading_suspended", susp, "expected true or false")
    return MarketStatus(market, ts_ms, state, (date.strip() or None) if date is not None else None, susp)


class StatusWatch:
    """Turns a stream of ticker dicts into MarketStatus changes: `see(ticker)` returns the new status when the
    market's state differs from the last one seen (the first ticker of a market always counts), else None.
    A malformed ticker is logged at ERROR once per market, field value and message (never raised) and
    leaves the last good state in force."""

    def __init__(self) -> None:
        self.last: dict[str, MarketStatus] = {}
        self.malformed = 0
        self._logged: set[str] = set()

    def see(self, ticker: dict) -> MarketStatus | None:
        try:
            st = status_of(ticker)
        except TickerStateError as e:
            self.malformed += 1
            if str(e) not in self._logged:        # every ticker repeats it: one line per distinct problem
                self._logged.add(str(e))
                log.error(json.dumps({"event": "ticker_state_malformed", "error": str(e)}, ensure_ascii=False))
            return None
        if st.same_state(self.last.get(st.market)):
            return None
        self.last[st.market] = st
        return st
