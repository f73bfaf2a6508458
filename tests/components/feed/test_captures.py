"""Raw Upbit WebSocket captures: every data line parsed (SIMPLE and DEFAULT names), equal to the normalized CSVs."""
import ast
import gzip
import json
from collections import Counter

import numpy as np
import pytest

from components.types.feed import quality
from components.types.feed.captures import load_capture
from components.types.feed.errors import DataError
from components.types.feed.loaders import load_books, load_trades
from components.types.feed.quality import QualityReport

# DEFAULT <- SIMPLE names for the message kinds in the captures (UPBIT_API.md §7.4-7.5), written out here
# independently of the parser's own table.
TO_DEFAULT = {"ty": "type", "cd": "code", "tms": "timestamp", "td": "trade_date", "ttm": "trade_time",
              "ttms": "trade_timestamp", "tp": "trade_price", "tv": "trade_volume", "ab": "ask_bid",
              "pcp": "prev_closing_price", "c": "change", "cp": "change_price", "sid": "sequential_id",
              "st": "stream_type", "tas": "total_ask_size", "tbs": "total_bid_size", "obu": "orderbook_units",
              "ap": "ask_price", "bp": "bid_price", "as": "ask_size", "bs": "bid_size"}


def _messages(path):
    out = []
    for line in path.read_text().splitlines():
        head, sep, lit = line.partition(": b'")
        if sep and head.replace(".", "").isdigit():
            out.append(json.loads(ast.literal_eval("b'" + lit).decode()))
    return out


def _to_default(obj):
    if isinstance(obj, dict):
        return {TO_DEFAULT.get(k, k): _to_default(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_default(v) for v in obj]
    return obj


@pytest.mark.parametrize("name", ["UPBIT-d78752.0", "UPBIT.ws.62.0"])
def test_capture_counts_per_market(shared_data, name):
    path = shared_data / "upbit/ws_captures" / name
    msgs = _messages(path)
    want = Counter((m["cd"], m["ty"]) for m in msgs)
    ev = load_capture(path)
    got = Counter({(m, "trade"): len(v) for m, v in ev.trades.items()})
    got.update({(m, "orderbook"): len(v) for m, v in ev.books.items()})
    assert got == want and sum(want.values()) > 400


def test_capture_equals_normalized_csv_after_sorting(shared_data):
    """The ticks_2021 CSVs were made from these captures: parse + quality fix must reproduce them exactly."""
    for name in ("UPBIT-d78752.0", "UPBIT.ws.62.0"):
        ev = load_capture(shared_data / "upbit/ws_captures" / name)
        for m in ev.markets():
            rep = QualityReport()
            if m in ev.trades:
                got = quality.clean_trades(ev.trade_batch(m), rep)
                want = load_trades(shared_data / f"upbit/ticks_2021/trades_{m}.csv.gz")
                for f in ("ts_ms", "price", "volume", "side", "seq"):
                    assert np.array_equal(getattr(got, f), getattr(want, f)), (m, f)
            got_b = quality.clean_books(ev.book_batch(m), rep)
            want_b = load_books(shared_data / f"upbit/ticks_2021/orderbook_{m}.csv.gz")
            assert np.array_equal(got_b.ts_ms, want_b.ts_ms), m
            for f in ("bid_px", "bid_sz", "ask_px", "ask_sz"):   # the CSVs were written with 15 significant digits
                assert np.allclose(getattr(got_b, f), getattr(want_b, f), rtol=1e-14, atol=0), (m, f)


def test_default_field_names_give_the_same_events(shared_data, tmp_path):
    src = shared_data / "upbit/ws_captures/UPBIT.ws.62.0"
    lines = []
    for m in _messages(src):
        body = json.dumps(_to_default(m))
        lines.append(f"1618678263.0: b'{body}'")
    dst = tmp_path / "default.0"
    dst.write_text("\n".join(lines) + "\n")
    simple, default = load_capture(src), load_capture(dst)
    assert default.markets() == simple.markets()
    for m in simple.markets():
        assert default.trades.get(m, []) == simple.trades.get(m, [])
        a, b = default.book_batch(m), simple.book_batch(m)
        assert np.array_equal(a.ask_px, b.ask_px) and np.array_equal(a.bid_sz, b.bid_sz)


def test_bad_capture_line_names_file_and_line(shared_data, tmp_path):
    lines = (shared_data / "upbit/ws_captures/UPBIT.ws.62.0").read_text().splitlines()
    n_data = sum(": b'" in x for x in lines)
    lines[9] = lines[9].replace('"tp":', '"tpx":') if '"tp":' in lines[9] else lines[9][:-20]
    lines[14] = "garbage without a stamp"
    f = tmp_path / "cap.0.gz"
    with gzip.open(f, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    with pytest.raises(DataError) as e:
        load_capture(f)
    assert str(e.value).startswith(f"{f}:10: bad capture line")
    rep = QualityReport()
    ev = load_capture(f, on_bad_row="skip", report=rep)
    assert rep.bad_rows == 2 and f"{f}:15:" in rep.examples[1]
    assert sum(map(len, ev.trades.values())) + sum(map(len, ev.books.values())) == n_data - 2   # both were data lines
