"""Bad data never replays and never prints a traceback: crafted files through the loaders and `scalp backtest`."""
import gzip

import numpy as np
import pytest

from components.types.feed import quality
from components.types.feed.errors import DataError
from components.types.feed.loaders import load_books, load_candles, load_trades
from components.types.feed.quality import OutlierRule, QualityReport
from engine import exit_codes
from engine.cli import main

HEADER = "ts_ms,open,high,low,close,volume,value_krw"
T0 = 1_756_684_800_000


def _rows(n: int, t0: int = T0, step: int = 60_000) -> list[str]:
    return [f"{t0 + i * step},{100 + i % 5},{101 + i % 5},{99 + i % 5},{100 + i % 5},1.0," for i in range(n)]


def _write(path, lines: list[str]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", newline="") as fh:
        fh.write("\n".join(lines) + ("\n" if lines else ""))
    return path


def _candles_with(tmp_path, line_no: int, row: str, n: int = 60):
    rows = _rows(n)
    rows[line_no - 2] = row
    return _write(tmp_path / "candles_1m" / "KRW-BTC.csv.gz", [HEADER, *rows])


@pytest.mark.parametrize("row,reason", [
    (f"{T0 + 540_000}1234567890,100,101,99,100,1.0,", "out of range"),             # 20-digit stamp
    ("99999,100,101,99,100,1.0,", "out of range"),                                 # 1970
    ("4200000000000,100,101,99,100,1.0,", "out of range"),                         # year 2103
    (f"{T0 + 540_000},100,101,99,100,1.0,-5", "negative value_krw"),
    (f"{T0 + 540_000},100,101,99,100,1.0,nan", "value_krw is not finite"),
    (f"{T0 + 540_000},0,101,0,100,1.0,", "non-positive price"),
    (f"{T0 + 540_000},nan,101,99,100,1.0,", "open is not finite"),
])
def test_bad_candle_rows_name_file_and_line(tmp_path, row, reason):
    f = _candles_with(tmp_path, 11, row)
    with pytest.raises(DataError, match=reason) as e:
        load_candles(f)
    assert e.value.line == 11 and str(e.value).startswith(f"{f}:11: ")
    rep = QualityReport()
    assert len(load_candles(f, on_bad_row="skip", report=rep)) == 59 and rep.bad_rows == 1


@pytest.mark.parametrize("scale,unit", [(1 / 1000, "seconds"), (1000, "microseconds")])
def test_stamps_in_another_unit_refuse_the_file_even_when_skipping(tmp_path, scale, unit):
    rows = [f"{int((T0 + i * 60_000) * scale)},100,101,99,100,1.0," for i in range(10)]
    f = _write(tmp_path / "KRW-BTC.csv.gz", [HEADER, *rows])
    for policy in ("raise", "skip"):
        with pytest.raises(DataError, match=f"looks like epoch {unit}") as e:
            load_candles(f, on_bad_row=policy, report=QualityReport())
        assert e.value.line == 2


def test_trade_and_book_stamps_and_seq_are_range_checked(tmp_path):
    tr = _write(tmp_path / "trades_KRW-BTC.csv.gz", ["ts_ms,price,volume,side,seq", f"{T0},100,1,BID,1",
                                                    f"{T0 + 1},100,1,ASK,123456789012345678901234"])
    with pytest.raises(DataError, match=r":3: bad trade row: seq .* out of range"):
        load_trades(tr)
    bk = _write(tmp_path / "orderbook_KRW-BTC.csv.gz", ["ts_ms,bid_px_1,bid_sz_1,ask_px_1,ask_sz_1",
                                                       f"{T0 // 1000},99,1,101,1"])
    with pytest.raises(DataError, match=r":2: ts_ms .* looks like epoch seconds"):
        load_books(bk)


def test_outlier_rule_drops_and_counts_bad_prints_only(tmp_path):
    rows = _rows(200)
    rows[100] = f"{T0 + 100 * 60_000},10000,10001,9999,10000,1.0,"     # a 100x print
    rows[150] = f"{T0 + 150 * 60_000},1,101,0.5,1,1.0,"               # a 1/100 print
    b = load_candles(_write(tmp_path / "KRW-BTC.csv.gz", [HEADER, *rows]))
    rep = QualityReport()
    out = quality.clean_candles(b, rep, outlier=OutlierRule())
    assert rep.outliers == 2 and len(out) == 198
    assert T0 + 100 * 60_000 not in out.ts_ms and T0 + 150 * 60_000 not in out.ts_ms
    assert any("outlier at ts_ms" in e for e in rep.examples)
    off = QualityReport()
    assert len(quality.clean_candles(b, off, outlier=OutlierRule(max_ratio=0))) == 200 and off.outliers == 0


def test_outlier_rule_keeps_real_moves(shared_data):
    b = load_candles(shared_data / "upbit/candles_1m/KRW-BTC_2020-2025_gappy.csv.gz")
    rep = QualityReport()
    assert len(quality.clean_candles(b, rep, outlier=OutlierRule())) == len(b) and rep.outliers == 0
    t = load_trades(shared_data / "binance_spot/trades_BTCUSDT.csv.gz")
    price = t.price.copy()
    price[500] *= 5
    spiked = type(t)(t.market, t.ts_ms, price, t.volume, t.side, t.seq)
    rep = QualityReport()
    out = quality.clean_trades(spiked, rep, outlier=OutlierRule())
    assert rep.outliers == 1 and len(out) == len(t) - 1 and np.all(out.price <= t.price.max())


def _backtest(capsys, data_dir, *extra):
    rc = main(["backtest", "towers=[momentum_rule]", "entry=prob_threshold", "markets=[KRW-BTC]",
               f"feed.path={data_dir}", "feed.kinds=[candle]", f"store.path={data_dir}/s.db", f"run.out_dir={data_dir}/out",
               f"hydra.run.dir={data_dir}/hydra", "ui.lang=en", *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("case", ["truncated", "wrong_columns", "empty", "seconds", "huge_stamp", "negative_price"])
def test_backtest_data_errors_exit_3_with_one_line(tmp_path, capsys, case):
    f = tmp_path / "candles_1m" / "KRW-BTC.csv.gz"
    if case == "truncated":
        body = [HEADER, *_rows(20_000)]
        data = gzip.compress(("\n".join(body) + "\n").encode())
        f.parent.mkdir(parents=True)
        f.write_bytes(data[: len(data) // 2])
    elif case == "wrong_columns":
        _write(f, ["a,b,c", "1,2,3"])
    elif case == "empty":
        _write(f, [])
    elif case == "seconds":
        _write(f, [HEADER, *_rows(100, t0=T0 // 1000, step=60)])
    elif case == "huge_stamp":
        _candles_with(tmp_path, 5, "17566854000001234567890,100,101,99,100,1.0,", 100)
    else:
        _candles_with(tmp_path, 5, f"{T0 + 180_000},-5,101,-6,100,1.0,", 100)
    rc, out, err = _backtest(capsys, tmp_path)
    assert rc == exit_codes.DATA, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"data error: {f}:"), err
    assert "Traceback" not in err + out


def test_backtest_reports_outliers_on_stderr(tmp_path, capsys):
    rows = _rows(300)
    rows[100] = f"{T0 + 100 * 60_000},10000,10001,9999,10000,1.0,"
    _write(tmp_path / "candles_1m" / "KRW-BTC.csv.gz", [HEADER, *rows])
    rc, out, err = _backtest(capsys, tmp_path)
    assert rc in (exit_codes.OK, exit_codes.CHECK_FAILED), err
    assert "0 bad rows, 1 outlier prices" in err
    assert "outliers=1" in out
