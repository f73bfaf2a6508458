"""`scalp data info|import` as a user runs them: bundled data without network, import -> store replay = files."""
import csv
import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.commands.data import split_args

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    rc = main(list(argv) + ["ui.lang=en"])
    cap = capsys.readouterr()
    return rc, cap.out if rc == 0 else cap.err      # results on stdout, problems on stderr


def _span(path):
    with gzip.open(path, "rt", newline="") as fh:
        next(fh)
        ts = [int(r[0]) for r in csv.reader(fh) if r]
    fmt = lambda ms: datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return len(ts), fmt(ts[0]), fmt(ts[-1])


def test_split_args():
    flags, rest = split_args(["--from", "d", "--json", "--markets=A,B", "store=postgres"])
    assert flags == {"from": "d", "json": True, "markets": "A,B"} and rest == ["store=postgres"]


def test_info_lists_bundled_markets_and_spans(capsys, bundled_data):
    rc, out = run(capsys, "data", "info")
    assert rc == 0, out
    assert out.splitlines()[0].startswith("data: examples/data (files)")
    for m in ("KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL"):
        n, first, last = _span(bundled_data / f"upbit/candles_1m/{m}.csv.gz")
        line = next(x for x in out.splitlines() if x.startswith(m) and "candle" in x)
        assert line.split()[2] == str(n) and first in line and last in line
    assert "quiet minutes 7 (normal)" in out and "long gaps 0" in out


def test_info_json_on_another_directory(capsys, shared_data):
    rc, out = run(capsys, "data", "info", "--json", f"feed.path={shared_data / 'binance_spot'}")
    assert rc == 0
    info = json.loads(out[out.index("{"):])
    assert info["markets"] == ["BTCUSDT", "ETHUSDT"] and info["kinds"] == ["book", "trade"]
    assert info["quality"]["crossed_books"] >= 0 and info["events"] == sum(r["rows"] for r in info["rows"])


def test_info_bad_path_is_a_clear_error(capsys):
    rc, out = run(capsys, "data", "info", "feed.path=/no/such/place")
    assert rc == 2 and out.splitlines()[0] == "feed.path  no such data path: /no/such/place"
    assert "1 problems" in out


def test_import_then_replay_from_store_equals_files(capsys, tmp_path, bundled_data):
    db = tmp_path / "imp.db"
    rc, out = run(capsys, "data", "import", "--from", str(bundled_data), f"store.path={db}")
    assert rc == 0, out and "done:" in out
    from components.feed.replay import Replay
    files = Replay(Replay.Params(path=str(bundled_data))).load()
    stored = Replay(Replay.Params(source="store", store={"component": "sqlite", "path": str(db)})).load()
    assert sorted(files) == sorted(stored) and len(files) == 18
    ev_f = list(Replay(Replay.Params()).events(streams=files))
    ev_s = list(Replay(Replay.Params()).events(streams=stored))
    assert len(ev_f) == len(ev_s) == sum(len(s) for s in files.values())
    for a, b in zip(ev_f, ev_s):
        assert (a.market, a.ts_ms, a.kind) == (b.market, b.ts_ms, b.kind)
        if a.kind == 2:
            assert np.array_equal(a.ask_px, b.ask_px) and np.array_equal(a.bid_sz, b.bid_sz)
        elif a.kind == 0:         # candles: NaN value_krw compares unequal to itself, so compare as tuples
            fields = ("open", "high", "low", "close", "volume", "interval_s")
            assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
            assert np.isnan(a.value_krw) == np.isnan(b.value_krw)
        else:
            assert a == b
    rc, out = run(capsys, "data", "info", "feed.source=store", f"feed.store.path={db}")
    assert rc == 0 and out.startswith(f"data: sqlite:{db} (store) · 18 markets")


def test_import_needs_from(capsys):
    rc, out = run(capsys, "data", "import")
    assert rc == 2 and "--from <dir> is required" in out


def test_bench_replay_json_counts_every_event(capsys, bundled_data):
    rc = main(["bench", "replay", "--json", "--runs", "1"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["bench"] == "replay" and "CPUs" in out["machine"]
    want = 0
    for f in list((bundled_data / "upbit/candles_1m").glob("*.csv.gz")) + \
            list((bundled_data / "upbit/ticks_2021").glob("*.csv.gz")):
        with gzip.open(f, "rt") as fh:
            want += sum(1 for line in fh if line.strip()) - 1
    r = out["results"]["bundled (examples/data)"]
    assert r["events"] == want and r["events_per_s"] > 0
