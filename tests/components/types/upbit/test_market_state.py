"""A market's trading state from the WebSocket ticker (market_state, delisting_date, is_trading_suspended): SIMPLE and
DEFAULT names, the flags they raise, malformed values logged (never raised), changes only."""
import json
import logging

import pytest

from components.types.upbit.market_state import StatusWatch, TickerStateError, status_of
from components.types.upbit.messages import parse_message

SIMPLE = {"ty": "ticker", "cd": "KRW-BTC", "tp": 100.0, "ms": "ACTIVE", "its": False, "dd": None, "tms": 1584482323378}


@pytest.mark.parametrize("fields,flag", [
    ({}, ""),
    ({"ms": "DELISTED"}, "delisted"),
    ({"dd": "2026-12-31"}, "delisted"),                  # a delisting is scheduled: no new entries already
    ({"its": True}, "suspended"),
    ({"ms": "DELISTED", "its": True}, "delisted"),       # the stronger word wins
    ({"ms": "PREVIEW"}, ""),
    ({"dd": ""}, ""),                                    # an empty date is no date
])
def test_flags_from_simple_and_default_tickers(fields, flag):
    simple = {**SIMPLE, **fields}
    default = parse_message(simple)                      # the feed's parser renames ms/its/dd to DEFAULT names
    assert {"market_state", "is_trading_suspended", "delisting_date"} <= set(default)
    for msg in (simple, default):
        st = status_of(msg)
        assert (st.market, st.ts_ms, st.flag) == ("KRW-BTC", 1584482323378, flag)
    assert status_of(default).delisting_date == (fields.get("dd") or None)


@pytest.mark.parametrize("field,value", [
    ("ms", "HALTED"), ("ms", 1), ("its", "true"), ("its", 1), ("dd", 20261231), ("dd", {"date": "x"}),
])
def test_malformed_values_are_refused_by_name(field, value):
    with pytest.raises(TickerStateError) as e:
        status_of({**SIMPLE, field: value})
    name = {"ms": "market_state", "its": "is_trading_suspended", "dd": "delisting_date"}[field]
    assert "KRW-BTC" in str(e.value) and name in str(e.value) and repr(value) in str(e.value)


def test_watch_reports_changes_only_and_logs_a_malformed_value_once(caplog):
    w = StatusWatch()
    assert w.see(SIMPLE).flag == ""                      # the first ticker of a market always counts
    assert w.see({**SIMPLE, "tp": 101.0}) is None        # same state: nothing new
    assert w.see({**SIMPLE, "its": True}).flag == "suspended"
    with caplog.at_level(logging.ERROR, logger="scalp.feed"):
        for _ in range(3):
            assert w.see({**SIMPLE, "its": "maybe"}) is None     # never raised
    errors = [json.loads(r.getMessage()) for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0]["event"] == "ticker_state_malformed"
    assert "is_trading_suspended='maybe'" in errors[0]["error"] and w.malformed == 3
    assert w.last["KRW-BTC"].flag == "suspended"         # the last good state stays in force
    assert w.see({**SIMPLE, "its": False}).flag == ""    # lifted
    assert w.see({**SIMPLE, "cd": "KRW-ETH"}).market == "KRW-ETH"    # per market

