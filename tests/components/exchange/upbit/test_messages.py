"""The raw Upbit parser: every message of both real captures parses; DEFAULT and SIMPLE give the same events."""
import json
import re
from collections import Counter

import numpy as np
import pytest

from components.types.upbit.messages import (MessageError, decode_frame, parse_capture_line, parse_message,
                                                to_default, to_simple)
from components.types.events import ASK, BID, BookSnapshot, Candle, Trade

CAPTURES = ["UPBIT-d78752.0", "UPBIT.ws.62.0"]
# Counted without the parser: the type and code are the first two keys of every SIMPLE message.
HEAD = re.compile(r"""^\d+\.\d+: b'\{"ty":"(\w+)","cd":"([A-Z0-9\-]+)",""")


def _independent_counts(path) -> Counter:
    c = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = HEAD.match(line)
        if m:
            c[(m.group(1), m.group(2))] += 1
    return c


@pytest.mark.parametrize("name", CAPTURES)
def test_every_capture_message_parses_with_counts_per_type_and_market(shared_data, name):
    path = shared_data / "upbit" / "ws_captures" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    data_lines = [ln for ln in lines if re.match(r"^\d+\.\d+: b'", ln)]
    expected = _independent_counts(path)
    assert sum(expected.values()) == len(data_lines)          # the regex saw every data line
    got = Counter()
    for ln in lines:
        obj = parse_capture_line(ln)
        if obj is None:
            continue
        ev = parse_message(obj)
        kind = {Trade: "trade", BookSnapshot: "orderbook"}[type(ev)]
        got[(kind, ev.market)] += 1
    assert got == expected
    request = json.loads(next(ln for ln in lines if " <- " in ln).split(": ", 1)[1])
    subscribed = set(next(x for x in request if x.get("type") == "trade")["codes"])
    assert {m for _, m in got} <= subscribed and len({m for _, m in got}) >= 5
    assert {k for k, _ in got} == {"trade", "orderbook"}


def test_capture_values_match_the_raw_text(shared_data):
    path = shared_data / "upbit" / "ws_captures" / "UPBIT.ws.62.0"
    for ln in path.read_text(encoding="utf-8").splitlines():
        if '"ty":"trade"' in ln:
            raw = json.loads(ln.split(": b'", 1)[1][:-1])
            t = parse_message(parse_capture_line(ln))
            assert (t.price, t.volume, t.seq, t.ts_ms) == (raw["tp"], raw["tv"], raw["sid"], raw["ttms"])
            assert t.side == (BID if raw["ab"] == "BID" else ASK)
        elif '"ty":"orderbook"' in ln:
            raw = json.loads(ln.split(": b'", 1)[1][:-1])
            b = parse_message(parse_capture_line(ln))
            assert list(b.ask_px) == [u["ap"] for u in raw["obu"]]
            assert list(b.bid_sz) == [u["bs"] for u in raw["obu"]]


# Samples of UPBIT_API.md §7.4/§7.5/§7.3/§7.7/§7.8 (DEFAULT) and hand-written SIMPLE twins.
TRADE_DEFAULT = {"type": "trade", "code": "KRW-BTC", "timestamp": 1584508285812, "trade_date": "2020-03-18",
                 "trade_time": "05:11:25", "trade_timestamp": 1584508285000, "trade_price": 6747000,
                 "trade_volume": 0.06499468, "ask_bid": "ASK", "prev_closing_price": 6774000, "change": "FALL",
                 "change_price": 27000, "sequential_id": 1584508285000002, "stream_type": "REALTIME"}
TRADE_SIMPLE = {"ty": "trade", "cd": "KRW-BTC", "tms": 1584508285812, "td": "2020-03-18", "ttm": "05:11:25",
                "ttms": 1584508285000, "tp": 6747000, "tv": 0.06499468, "ab": "ASK", "pcp": 6774000, "c": "FALL",
                "cp": 27000, "sid": 1584508285000002, "st": "REALTIME"}
BOOK_DEFAULT = {"type": "orderbook", "code": "BTC-ETH", "timestamp": 1584486737444, "total_ask_size": 16.76384456,
                "total_bid_size": 168.9020623, "orderbook_units": [
                    {"ask_price": 0.02295077, "bid_price": 0.02161249, "ask_size": 3.57100696, "bid_size": 22.5303265},
                    {"ask_price": 0.02295078, "bid_price": 0.02152658, "ask_size": 0.52451651, "bid_size": 2.30355128}],
                "level": 0, "stream_type": "SNAPSHOT"}
BOOK_SIMPLE = {"ty": "orderbook", "cd": "BTC-ETH", "tms": 1584486737444, "tas": 16.76384456, "tbs": 168.9020623,
               "obu": [{"ap": 0.02295077, "bp": 0.02161249, "as": 3.57100696, "bs": 22.5303265},
                       {"ap": 0.02295078, "bp": 0.02152658, "as": 0.52451651, "bs": 2.30355128}],
               "lv": 0, "st": "SNAPSHOT"}
MYORDER_SIMPLE = {"ty": "myOrder", "cd": "SGD-XRP", "uid": "ac2dc2a3", "ab": "BID", "ot": "limit", "s": "trade",
                  "p": 0.001453, "ap": 0.00145372, "v": 30925891.29, "rv": 29968038.09, "ev": 30925891.29,
                  "tc": 1, "rsf": 44.2, "rmf": 21.7, "pf": 22.4, "l": 43565.3, "ef": 44935.3, "otms": 1710751590000,
                  "tms": 1710751597500, "st": "REALTIME"}
MYASSET_SIMPLE = {"ty": "myAsset", "astuid": "e635f223", "ast": [{"cu": "SGD", "b": 1386929.37, "l": 10329.67}],
                  "asttms": 1710146517259, "tms": 1710146517267, "st": "REALTIME"}


def test_default_and_simple_give_the_same_trade_and_book():
    assert parse_message(TRADE_DEFAULT) == parse_message(TRADE_SIMPLE)
    t = parse_message(TRADE_SIMPLE)
    assert t == Trade("KRW-BTC", 1584508285000, 6747000.0, 0.06499468, ASK, 1584508285000002)
    a, b = parse_message(BOOK_DEFAULT), parse_message(BOOK_SIMPLE)
    for f in ("bid_px", "bid_sz", "ask_px", "ask_sz"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert a.ask_px[0] == 0.02295077 and a.bid_sz[1] == 2.30355128 and a.ts_ms == 1584486737444


def test_private_messages_come_back_with_default_names():
    o = parse_message(MYORDER_SIMPLE)
    assert (o["uuid"], o["avg_price"], o["state"], o["ask_bid"], o["locked"]) == ("ac2dc2a3", 0.00145372, "trade",
                                                                                 "BID", 43565.3)
    a = parse_message(MYASSET_SIMPLE)
    assert a["assets"] == [{"currency": "SGD", "balance": 1386929.37, "locked": 10329.67}]
    assert to_simple(to_default(MYASSET_SIMPLE)) == MYASSET_SIMPLE
    assert to_simple(TRADE_DEFAULT) == TRADE_SIMPLE and to_simple(BOOK_DEFAULT) == BOOK_SIMPLE


def test_ticker_simple_and_candle_and_rest_shapes():
    tk = parse_message({"ty": "ticker", "cd": "KRW-BTC", "tp": 100.0, "scr": -0.01, "atv24h": 5.0, "tdt": "20200317"})
    assert tk["trade_price"] == 100.0 and tk["signed_change_rate"] == -0.01 and tk["trade_date"] == "20200317"
    c = parse_message({"type": "candle.1s", "code": "KRW-USDT", "candle_date_time_utc": "2025-04-22T09:50:34",
                       "opening_price": 1438, "high_price": 1438, "low_price": 1438, "trade_price": 1438,
                       "candle_acc_trade_volume": 1145.8935, "candle_acc_trade_price": 1647794.853,
                       "timestamp": 1745315434125})
    assert isinstance(c, Candle) and c.interval_s == 1 and c.ts_ms == 1745315434000
    rest = parse_message({"market": "BTC-ETH", "trade_date_utc": "2018-11-22", "trade_time_utc": "13:55:24",
                          "timestamp": 1542894924397, "trade_price": 0.02914289, "trade_volume": 0.20074397,
                          "prev_closing_price": 0.02966, "change_price": -0.00051711, "ask_bid": "ASK",
                          "sequential_id": 15428949259430000})
    assert rest == Trade("BTC-ETH", 1542894924397, 0.02914289, 0.20074397, ASK, 15428949259430000)


def test_lists_status_and_malformed():
    assert len(decode_frame(json.dumps([TRADE_SIMPLE, BOOK_SIMPLE]).encode())) == 2
    assert parse_message({"status": "UP"}) == {"status": "UP"}
    with pytest.raises(MessageError):
        parse_message({**TRADE_SIMPLE, "ab": "XYZ"})
    with pytest.raises(MessageError):
        parse_message({k: v for k, v in TRADE_SIMPLE.items() if k != "tp"})
    with pytest.raises(MessageError):
        decode_frame(b'{"ty":"trade","cd":')
    with pytest.raises(MessageError):
        parse_message({**BOOK_SIMPLE, "obu": []})
