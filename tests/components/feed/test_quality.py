"""Each data-quality check on real data: crossed books, disorder, duplicate trades/candles, quiet minutes, long gaps."""
import csv
import gzip

import numpy as np
import pytest

from components.types.feed import quality
from components.types.feed.captures import load_capture
from components.types.feed.errors import DataError
from components.types.feed.loaders import load_books, load_candles, load_trades
from components.types.feed.quality import QualityReport
from components.types.events import BookBatch, TradeBatch


def _stamps(path):
    with gzip.open(path, "rt", newline="") as fh:
        next(fh)
        return [int(r[0]) for r in csv.reader(fh) if r]


def test_crossed_books_are_dropped_and_counted(shared_data):
    b = load_books(shared_data / "upbit/ticks_2021/orderbook_KRW-DAWN.csv.gz")
    rep = QualityReport()
    assert len(quality.clean_books(b, rep)) == len(b) and rep.crossed_books == 0   # the real data is clean
    bid = b.bid_px.copy()
    bid[[3, 10, 11], 0] = b.ask_px[[3, 10, 11], 0]          # bid == ask: crossed/locked
    bid[20, 0] = b.ask_px[20, 0] + 5                           # bid above ask
    bad = BookBatch(b.market, b.ts_ms, bid, b.bid_sz, b.ask_px, b.ask_sz)
    out = quality.clean_books(bad, rep)
    assert rep.crossed_books == 4 and len(out) == len(b) - 4
    assert (out.bid_px[:, 0] < out.ask_px[:, 0]).all()
    assert set(out.ts_ms.tolist()) == set(np.delete(b.ts_ms, [3, 10, 11, 20]).tolist())


def test_out_of_order_trades_fixed_or_rejected(shared_data):
    raw = load_capture(shared_data / "upbit/ws_captures/UPBIT.ws.62.0").trade_batch("KRW-LAMB")
    assert (np.diff(raw.ts_ms) < 0).any()           # real arrival order is not time order
    rep = QualityReport()
    fixed = quality.clean_trades(raw, rep)
    key = sorted(zip(raw.ts_ms.tolist(), raw.seq.tolist()))
    assert list(zip(fixed.ts_ms.tolist(), fixed.seq.tolist())) == key
    assert rep.unsorted_fixed == sum(a != b for a, b in zip(zip(raw.ts_ms.tolist(), raw.seq.tolist()), key))
    with pytest.raises(DataError, match="timestamps go backwards at row"):
        quality.clean_trades(raw, QualityReport(), on_unsorted="reject")


def test_duplicate_trades_same_seq_dropped(shared_data):
    t = load_trades(shared_data / "binance_spot/trades_ETHUSDT.csv.gz")
    dup = np.r_[np.arange(len(t)), [5, 6, 7, 100, 100]]
    doubled = t.take(dup)
    rep = QualityReport()
    out = quality.clean_trades(doubled, rep)
    assert rep.duplicate_trades == 5 and len(out) == len(t)
    assert np.array_equal(out.seq, t.seq) and np.array_equal(out.price, t.price)


def test_duplicate_candles_dropped(bundled_data):
    c = load_candles(bundled_data / "upbit/candles_1m/KRW-ETH.csv.gz")
    rep = QualityReport()
    out = quality.clean_candles(c.take(np.r_[np.arange(len(c)), [0, 50]]), rep)
    assert rep.duplicate_candles == 2 and np.array_equal(out.ts_ms, c.ts_ms)


def test_quiet_minutes_are_normal_not_gaps(bundled_data):
    path = bundled_data / "upbit/candles_1m/KRW-SOL.csv.gz"
    ts = _stamps(path)
    missing = sum((b - a) // 60_000 - 1 for a, b in zip(ts, ts[1:]))
    assert missing > 0
    rep = QualityReport()
    quality.clean_candles(load_candles(path), rep)
    assert rep.quiet_minutes == missing and rep.long_gaps == []


def test_long_gaps_reported_with_their_span(shared_data):
    path = shared_data / "upbit/candles_1m/KRW-BTC_2020-2025_gappy.csv.gz"
    ts = _stamps(path)
    want = [(a, b) for a, b in zip(ts, ts[1:]) if b - a > 600_000]
    rep = QualityReport()
    quality.clean_candles(load_candles(path), rep, long_gap_s=600)
    assert [(g.start_ms, g.end_ms) for g in rep.long_gaps] == want and len(want) > 100
    assert rep.long_gaps[0].minutes > 60 * 24 * 365          # 2020-02 -> 2024-08
    rep2 = QualityReport()
    quality.clean_candles(load_candles(path), rep2, long_gap_s=3600 * 24 * 365 * 5)
    assert rep2.long_gaps == []


def test_report_merge_and_counts():
    a, b = QualityReport(crossed_books=2), QualityReport(crossed_books=1, duplicate_trades=3)
    a.merge(b)
    assert a.counts()["crossed_books"] == 3 and a.counts()["duplicate_trades"] == 3 and a.counts()["long_gaps"] == 0
    with pytest.raises(ValueError, match="on_unsorted"):
        quality.clean_trades(TradeBatch("X", *(np.zeros(2, t) for t in (np.int64, float, float, np.int8, np.int64))),
                             a, on_unsorted="sort")
