"""`feed: replay` on real data: subsets, time range, interval, merge order + tie rule, pacing, provides, errors."""
import csv
import gzip
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import yaml

from components.types.feed.merge import iter_merged, merged_index
from components.feed.replay import Replay, to_ms
from components.types.events import CANDLE, TRADE, BOOK
from registry import ConfigError, build, parse_params

ROOT = Path(__file__).resolve().parents[3]


def feed(**kw) -> Replay:
    return build("feed", {"component": "replay", **kw}, path="feed")


def _rows(path):
    with gzip.open(path, "rt", newline="") as fh:
        next(fh)
        return [r for r in csv.reader(fh) if r]


def test_yaml_node_validates_and_defaults_to_bundled_data():
    node = yaml.safe_load((ROOT / "conf/feed/replay.yaml").read_text())
    cls, p = parse_params("feed", node, "feed")
    assert cls is Replay and p.path == "examples/data" and p.speed == 0
    assert Replay(p).root.resolve() == (ROOT / "examples/data").resolve()


def test_bad_params_name_the_path():
    with pytest.raises(ConfigError, match=r"feed.start"):
        feed(start="yesterday-ish")
    with pytest.raises(ConfigError, match=r"feed.speed"):
        feed(speed=-1)
    with pytest.raises(ConfigError, match=r"feed.end"):
        feed(start="2025-09-21", end="2025-09-20")


def test_default_run_loads_the_bundled_markets(bundled_data):
    f = feed()
    streams = f.load(["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL"])
    assert sorted(streams) == ["KRW-BTC", "KRW-ETH", "KRW-SOL", "KRW-XRP"]
    for m, s in streams.items():
        rows = _rows(bundled_data / f"upbit/candles_1m/{m}.csv.gz")
        assert len(s) == len(rows) and s.kind.tolist() == [CANDLE] * len(rows)
        assert s.ts_ms[0] == int(rows[0][0]) + 60_000       # known at the bar's close
    assert f.provides(["KRW-BTC"]) == {"candle"}
    assert f.provides(["KRW-DAWN"]) == {"trade", "book"}
    assert feed(kinds=["candle"]).provides(["KRW-DAWN"]) == set()


def test_any_directory_and_market_subset(shared_data):
    f = feed(path=str(shared_data / "upbit"))
    s = f.load(["KRW-ADA"])
    assert list(s) == ["KRW-ADA"]
    want = len(_rows(shared_data / "upbit/ticks_2021/trades_KRW-ADA.csv.gz")) + \
        len(_rows(shared_data / "upbit/ticks_2021/orderbook_KRW-ADA.csv.gz"))
    assert len(s["KRW-ADA"]) == want
    with pytest.raises(FileNotFoundError, match=r"no data for \['KRW-DOGE'\].*available: .*KRW-ADA"):
        f.load(["KRW-DOGE"])
    with pytest.raises(FileNotFoundError, match="feed.path"):
        feed(path="/no/such/dir").load()


def test_time_range_iso_and_ms_agree(bundled_data):
    start, end = "2025-09-22T00:00:00Z", "2025-09-22T06:00"
    a = feed(start=start, end=end).load(["KRW-BTC"])["KRW-BTC"]
    b = feed(start=to_ms(start), end=str(to_ms(end))).load(["KRW-BTC"])["KRW-BTC"]
    s_ms = int(datetime(2025, 9, 22, tzinfo=timezone.utc).timestamp() * 1000)
    opens = [int(r[0]) for r in _rows(bundled_data / "upbit/candles_1m/KRW-BTC.csv.gz")]
    want = [t for t in opens if s_ms <= t < s_ms + 6 * 3600_000]
    assert a.candles.ts_ms.tolist() == want == b.candles.ts_ms.tolist()


def test_candle_interval_resampled_from_1m(bundled_data):
    s = feed(candle_interval_s=300).load(["KRW-XRP"])["KRW-XRP"]
    rows = _rows(bundled_data / "upbit/candles_1m/KRW-XRP.csv.gz")
    buckets: dict[int, list] = {}
    for r in rows:
        buckets.setdefault(int(r[0]) // 300_000 * 300_000, []).append(r)
    c = s.candles
    assert c.interval_s == 300 and c.ts_ms.tolist() == sorted(buckets)
    k = sorted(buckets)[17]
    i = c.ts_ms.tolist().index(k)
    grp = buckets[k]
    assert c.open[i] == float(grp[0][1]) and c.close[i] == float(grp[-1][4])
    assert c.high[i] == max(float(r[2]) for r in grp) and c.low[i] == min(float(r[3]) for r in grp)
    assert c.volume[i] == pytest.approx(sum(float(r[5]) for r in grp), rel=1e-12)


def test_merge_order_and_tie_rule(shared_data):
    f = feed(path=str(shared_data / "upbit"))
    streams = f.load(["KRW-ADA", "KRW-ANKR", "KRW-IQ", "KRW-STX"])
    markets, mk, pos = merged_index(streams)
    got = [(int(streams[markets[i]].ts_ms[p]), int(streams[markets[i]].kind[p]), markets[i], p)
           for i, p in zip(mk.tolist(), pos.tolist())]
    assert got == sorted(got)                    # time, then kind (candle<trade<book), then market, then position
    ts = [g[0] for g in got]
    assert len(ts) - len(set(ts)) > 10           # 1-second trade stamps: many real cross-market ties
    events = list(f.events(streams=streams))
    assert len(events) == len(got)
    assert [(e.ts_ms, e.kind, e.market) for e in events] == [(g[0], g[1], g[2]) for g in got]
    again = list(f.events(streams=f.load(["KRW-STX", "KRW-IQ", "KRW-ANKR", "KRW-ADA"])))   # deterministic
    assert [_key(e) for e in again] == [_key(e) for e in events]


def _key(e):
    if e.kind == BOOK:
        return (e.market, e.ts_ms, e.kind, tuple(e.bid_px), tuple(e.ask_px), tuple(e.bid_sz), tuple(e.ask_sz))
    return (e.market, e.ts_ms, e.kind, e.price, e.volume, e.seq) if e.kind == TRADE else e


def test_speed_paces_events_to_data_time(shared_data):
    streams = feed(path=str(shared_data / "upbit"), kinds=["trade"]).load(["KRW-BAT"])
    ts = streams["KRW-BAT"].ts_ms
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s
    out = list(iter_merged(streams, speed=10.0, sleep=sleep, clock=lambda: now[0]))
    assert len(out) == len(ts)
    assert now[0] == pytest.approx((ts[-1] - ts[0]) / 1000 / 10)
    assert sum(slept) == pytest.approx(now[0]) and all(s > 0 for s in slept)


def test_capture_source_equals_csv_source(shared_data):
    a = feed(path=str(shared_data / "upbit"), tick_source="captures").load(["KRW-LAMB", "KRW-WAVES"])
    b = feed(path=str(shared_data / "upbit")).load(["KRW-LAMB", "KRW-WAVES"])
    for m in b:
        assert np.array_equal(a[m].ts_ms, b[m].ts_ms) and np.array_equal(a[m].kind, b[m].kind)
        assert np.array_equal(a[m].trades.seq, b[m].trades.seq)
    with pytest.raises(FileNotFoundError, match=r"no data for \['KRW-NOPE'\]"):
        feed(path=str(shared_data / "upbit"), tick_source="captures").load(["KRW-NOPE"])


def test_single_file_path_and_gap_report(shared_data):
    f = feed(path=str(shared_data / "upbit/candles_1m/KRW-BTC_2020-2025_gappy.csv.gz"), long_gap_s=600)
    s = f.load()
    assert list(s) == ["KRW-BTC"] and len(s["KRW-BTC"]) == len(_rows(shared_data / "upbit/candles_1m/"
                                                                       "KRW-BTC_2020-2025_gappy.csv.gz"))
    assert f.report.counts()["long_gaps"] > 100


def test_binance_layout_at_directory_root(shared_data):
    f = feed(path=str(shared_data / "binance_spot"))
    assert f.markets() == ["BTCUSDT", "ETHUSDT"] and f.provides() == {"trade", "book"}
    s = f.load()
    assert len(s["BTCUSDT"].trades) == len(_rows(shared_data / "binance_spot/trades_BTCUSDT.csv.gz"))
    assert {e.kind for e in s["ETHUSDT"].events()} == {TRADE, BOOK}
