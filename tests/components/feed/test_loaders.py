"""Every recorded format in shared/data loads with the right counts and values; malformed rows name file:line."""
import csv
import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from components.types.feed.errors import DataError
from components.types.feed.loaders import load_books, load_candles, load_trades, market_of
from components.types.feed.quality import QualityReport
from components.feed.rest import load_market_list, load_rest_candles
from components.types.events import ASK, BID


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with gzip.open(path, "rt", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, [r for r in rows if r]


def _files(root: Path, pattern: str) -> list[Path]:
    return sorted(root.rglob(pattern))


def test_candle_files_load_every_row_exactly(shared_data):
    files = _files(shared_data / "upbit", "candles_*/*.csv.gz")
    assert len(files) == 9
    for f in files:
        header, rows = _csv_rows(f)
        b = load_candles(f)
        assert len(b) == len(rows) > 1000, f
        col = header.index("close")
        assert b.close[0] == float(rows[0][col]) and b.close[-1] == float(rows[-1][col])
        assert b.ts_ms[-1] == int(rows[-1][0])
        vcol = header.index("value_krw")
        empty = np.array([r[vcol] == "" for r in rows])
        assert (np.isnan(b.value_krw) == empty).all()     # empty value_krw -> NaN, never 0
        assert b.value_krw[~empty].tolist() == [float(r[vcol]) for r in rows if r[vcol] != ""]
        assert b.market == f.name.split(".")[0].split("_")[0]
    assert load_candles(shared_data / "upbit/candles_1h/KRW-ETH.csv.gz", interval_s=3600).interval_s == 3600


def test_trade_files_load_sides_and_seq(shared_data):
    files = _files(shared_data, "trades_*.csv.gz")
    assert len(files) == 12
    for f in files:
        _, rows = _csv_rows(f)
        b = load_trades(f)
        assert len(b) == len(rows), f
        assert int((b.side == BID).sum()) == sum(r[3] == "BID" for r in rows)
        assert int((b.side == ASK).sum()) == sum(r[3] == "ASK" for r in rows)
        assert b.seq.tolist() == [int(r[4]) for r in rows]
        assert b.market == f.name[len("trades_"):].split(".")[0]


def test_book_files_load_levels(shared_data):
    files = _files(shared_data, "orderbook_*.csv.gz")
    assert len(files) == 17
    for f in files:
        header, rows = _csv_rows(f)
        b = load_books(f)
        levels = sum(h.startswith("ask_sz_") for h in header)
        assert len(b) == len(rows) and b.levels == levels, f
        last = rows[-1]
        assert b.ask_px[-1, 0] == float(last[header.index("ask_px_1")])
        assert b.bid_sz[-1, levels - 1] == float(last[header.index(f"bid_sz_{levels}")])
    assert load_books(shared_data / "upbit/rest_samples/orderbook_KRW-BTC_2025-08-23_ccxt20.csv.gz").levels == 20


def test_rest_candle_replies(shared_data):
    files = _files(shared_data / "upbit/rest_samples", "*.json")
    assert len(files) == 3
    for f in files:
        raw = json.loads(f.read_text())
        b = load_rest_candles(f)
        assert len(b) == len(raw) and b.market == "KRW-BTC"
        assert b.interval_s == 60 * raw[0]["unit"]
        oldest = min(raw, key=lambda r: r["candle_date_time_utc"])
        start = datetime.fromisoformat(oldest["candle_date_time_utc"]).replace(tzinfo=timezone.utc)
        assert b.ts_ms[0] == int(start.timestamp() * 1000)
        assert b.open[0] == oldest["opening_price"] and b.value_krw[0] == oldest["candle_acc_trade_price"]
        assert (np.diff(b.ts_ms) > 0).all()


def test_market_list_from_capture_line(shared_data):
    rows = load_market_list(shared_data / "upbit/ws_captures/UPBIT.0")
    assert len(rows) > 100 and {"KRW-BTC", "KRW-ETH"} <= {r["market"] for r in rows}


def test_market_names_from_file_names():
    assert market_of(Path("KRW-BTC_2020-2025_gappy.csv.gz")) == "KRW-BTC"
    assert market_of(Path("trades_BTCUSDT.csv.gz"), "trades_") == "BTCUSDT"
    assert market_of(Path("orderbook_KRW-BTC_2025-08-23_ccxt20.csv.gz"), "orderbook_") == "KRW-BTC"


# -- malformed input ---------------------------------------------------------------------------------
def _corrupt(src: Path, dst: Path, line_no: int, new_line: str) -> Path:
    with gzip.open(src, "rt", newline="") as fh:
        lines = fh.readlines()[:40]
    lines[line_no - 1] = new_line + "\n"
    with gzip.open(dst, "wt", newline="") as fh:
        fh.writelines(lines)
    return dst


@pytest.mark.parametrize("loader,src,bad", [
    (load_candles, "upbit/candles_1m/KRW-BTC.csv.gz", "1756684800000,150700000,oops,150640000,150803000,1,"),
    (load_candles, "upbit/candles_1m/KRW-BTC.csv.gz", "1756684800000,150700000,100,150640000,150803000,1,"),
    (load_trades, "binance_spot/trades_BTCUSDT.csv.gz", "1723161255342,61837.63,0.02,SELL,3735683259"),
    (load_trades, "binance_spot/trades_BTCUSDT.csv.gz", "1723161255342,61837.63,nan,ASK,3735683259"),
    (load_books, "binance_spot/orderbook_BTCUSDT.csv.gz", "1723161255342,1,2"),
    (load_trades, "binance_spot/trades_BTCUSDT.csv.gz", "1723161255342,61837.63,0.02,ASK,3735683259,7"),
])
def test_bad_row_raises_with_file_and_line_or_is_skipped_and_counted(shared_data, tmp_path, loader, src, bad):
    f = _corrupt(shared_data / src, tmp_path / Path(src).name, 7, bad)
    with pytest.raises(DataError) as e:
        loader(f)
    assert str(e.value).startswith(f"{f}:7: ") and e.value.line == 7
    report = QualityReport()
    b = loader(f, on_bad_row="skip", report=report)
    assert len(b) == 38 and report.bad_rows == 1 and f"{f}:7:" in report.examples[0]


def test_missing_column_and_truncated_gzip(shared_data, tmp_path):
    f = tmp_path / "KRW-X.csv.gz"
    with gzip.open(f, "wt") as fh:
        fh.write("ts_ms,open,high,low,volume\n1,2,3,1,5\n")
    with pytest.raises(DataError, match=r"KRW-X.csv.gz:1: header lacks columns \['close'\]"):
        load_candles(f)
    data = (shared_data / "binance_spot/trades_ETHUSDT.csv.gz").read_bytes()
    cut = tmp_path / "trades_ETHUSDT.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="trades_ETHUSDT.csv.gz:[0-9]+: unreadable"):
        load_trades(cut)
