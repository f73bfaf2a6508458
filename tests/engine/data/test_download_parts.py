"""Pieces of the download: fetched spans and holes, page checks naming the endpoint, unit folders and ranges."""
import pytest

from engine.download.files import holes, merge_spans
from engine.download.pages import MalformedPage, candle_rows, trade_rows
from engine.download.units import UNITS, align_range, parse_units

EP = "GET /v1/candles/minutes/1 (KRW-BTC)"
ROW = {"market": "KRW-BTC", "candle_date_time_utc": "2025-09-26T00:01:00", "opening_price": 10, "high_price": 12,
       "low_price": 9, "trade_price": 11, "candle_acc_trade_volume": 2.5, "candle_acc_trade_price": 27.0,
       "timestamp": 1758844919000}


def test_spans_merge_and_holes_are_what_is_not_covered():
    assert merge_spans([[5, 7], [0, 2], [2, 3], [6, 9]]) == [[0, 3], [5, 9]]
    assert holes(0, 10, [[2, 4], [6, 8]]) == [(0, 2), (4, 6), (8, 10)]
    assert holes(3, 7, [[0, 10]]) == [] and holes(0, 5, []) == [(0, 5)]


def test_candle_page_rows_and_their_checks():
    assert candle_rows(EP, "KRW-BTC", [ROW]) == [(1758844860000, "10.0", "12.0", "9.0", "11.0", "2.5", "27.0")]
    cases = [({"error": {"name": 400}}, "expected a JSON array"),
             ([{k: v for k, v in ROW.items() if k != "trade_price"}], "lacks ['trade_price']"),
             ([{**ROW, "high_price": 8}], "do not form a candle"),
             ([{**ROW, "market": "KRW-ETH"}], "asked for KRW-BTC"),
             ([{**ROW, "opening_price": None}], "not a number")]
    for page, what in cases:
        with pytest.raises(MalformedPage) as e:
            candle_rows(EP, "KRW-BTC", page)
        assert str(e.value).startswith(EP) and what in str(e.value), str(e.value)


def test_trade_page_rows_and_their_checks():
    t = {"market": "KRW-BTC", "timestamp": 1758844919000, "trade_price": 5.0, "trade_volume": 1.5, "ask_bid": "ASK",
         "sequential_id": 17}
    assert trade_rows("GET /v1/trades/ticks", "KRW-BTC", [t]) == [(1758844919000, "5.0", "1.5", "ASK", 17)]
    with pytest.raises(MalformedPage, match="ask_bid"):
        trade_rows("GET /v1/trades/ticks", "KRW-BTC", [{**t, "ask_bid": "SELL"}])


def test_units_map_to_the_layout_folders_and_complete_candles_only():
    assert [UNITS[n].folder for n in ("seconds", "minutes1", "minutes10", "minutes60", "minutes240", "days",
                                      "trades")] == ["candles_1s", "candles_1m", "candles_10m", "candles_1h",
                                                     "candles_4h", "candles_1d", "trades"]
    with pytest.raises(ValueError, match="hours"):
        parse_units(["minutes1", "hours"])
    m5 = UNITS["minutes5"]
    # start rounds up to a candle open, end past the open candle at `now` is cut back to its open
    assert align_range(m5, 60_000, 3_600_000, 1_000_000) == (300_000, 900_000)
    assert align_range(UNITS["trades"], 5, 50, 20) == (5, 20)
