"""`scalp data download` end to end against the local exchange server: files `scalp data info` reads, resumable
after a page budget or a kill, 429 backoff without a 418, malformed pages and bad arguments named."""
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.engine.server.history_server import history_server, source_candles

ROOT = Path(__file__).resolve().parents[3]
RANGE = ["download.start=2025-09-25T12:00:00Z", "download.end=2025-09-27"]


@pytest.fixture(scope="module")
def srv(bundled_data):
    s = history_server(bundled_data)
    yield s
    s.stop()


@pytest.fixture
def faults(srv):
    """Set server fault knobs for one test; restored after it."""
    f = srv.state.cfg.faults
    before = f.model_dump()
    yield f
    for k, v in before.items():
        setattr(f, k, v)


def args(srv, out, *extra):
    return ["data", "download", "--json", "markets=[KRW-BTC]", f"download.base_url={srv.base_url}",
            f"download.out={out}", "download.progress=false", "ui.lang=en", *RANGE, *extra]


def download(srv, out, capsys, *extra):
    from engine.cli import main
    rc = main(args(srv, out, *extra))
    cap = capsys.readouterr()
    return rc, (json.loads(cap.out.strip().splitlines()[-1]) if rc == 0 else None), cap.err


def rows_of(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt") as fh:
        return [line.rstrip("\n").split(",") for line in fh][1:]


def by_unit(res) -> dict:
    return {r["unit"]: r for r in res["rows"]}


def test_download_gives_files_data_info_lists_without_gaps(srv, bundled_data, tmp_path, capsys):
    out = tmp_path / "upbit"
    rc, res, err = download(srv, out, capsys, "download.units=[minutes1,minutes5,days,trades]")
    assert rc == 0, err
    u = by_unit(res)
    src = source_candles(bundled_data)
    assert u["minutes1"]["rows"] == len(src) == 1500 and u["minutes5"]["rows"] == 300
    # the day candle of the 25th opened at 00:00, before the start: only the 26th's is in the range
    assert u["days"]["rows"] == 1 and u["trades"]["rows"] == 4 * 1500
    assert all(r["missing"] == [] and r["duplicates"] == 0 for r in res["rows"])
    # 12:00 -> 23:00 on the 25th holds no trades in the source: quiet, the source's own gap
    assert u["minutes1"]["quiet"] == 11 * 60 and u["trades"]["quiet"] == 0
    m1 = np.array(rows_of(out / "candles_1m/KRW-BTC.csv.gz"), dtype=float)
    assert np.array_equal(m1[:, 0].astype(np.int64), src.ts_ms)
    assert np.array_equal(m1[:, 1:6], np.column_stack([src.open, src.high, src.low, src.close, src.volume]))
    from engine.cli import main
    assert main(["data", "info", "--json", f"feed.path={out}", "markets=[KRW-BTC]", "ui.lang=en"]) == 0
    info = json.loads(capsys.readouterr().out)
    kinds = {r["kind"]: r for r in info["rows"]}
    assert kinds["candle"]["rows"] == 1500 and kinds["trade"]["rows"] == 6000
    q = info["quality"]
    assert q["long_gaps"] == 0 and q["duplicate_trades"] == 0 and q["duplicate_candles"] == 0 and q["bad_rows"] == 0
    assert main(["data", "info", "--json", f"feed.path={out}", "feed.candle_interval_s=300", "feed.kinds=[candle]",
                 "markets=[KRW-BTC]", "ui.lang=en"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"][0]["rows"] == 300     # candles_5m read as 300 s bars
    # the backtest's own config check accepts the folder as its feed (a full backtest of it: README Measured)
    assert main(["validate", f"feed.path={out}", "markets=[KRW-BTC]", "ui.lang=en"]) == 0


def test_page_budget_then_rerun_fills_only_what_is_missing(srv, tmp_path, capsys):
    units = "download.units=[minutes1,trades]"
    rc, part, _ = download(srv, tmp_path / "a", capsys, units, "download.max_pages=4")
    assert rc == 0 and part["stopped"] == "budget" and part["pages"] == 4
    assert any(r["missing"] for r in part["rows"])
    rc, full, _ = download(srv, tmp_path / "a", capsys, units)
    assert rc == 0 and full["stopped"] == "" and all(r["missing"] == [] for r in full["rows"])
    assert full["pages"] < 4 + 8 + 14           # only the missing part was asked for again
    rc, again, _ = download(srv, tmp_path / "a", capsys, units)
    assert rc == 0 and again["rows_fetched"] == 0 and again["pages"] == 2          # market/all + the trade day
    rc, clean, _ = download(srv, tmp_path / "b", capsys, units)
    for name in ("candles_1m/KRW-BTC.csv.gz", "trades/trades_KRW-BTC.csv.gz"):
        resumed, fresh = rows_of(tmp_path / "a" / name), rows_of(tmp_path / "b" / name)
        assert resumed == fresh and len({r[0] if "candles" in name else r[4] for r in resumed}) == len(resumed)


def test_killed_download_resumes_without_duplicates(srv, tmp_path, capsys, faults):
    faults.latency_ms = 150            # ~30 seconds-candle pages: slow enough to be killed in the middle
    out = tmp_path / "upbit"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", *args(srv, out, "download.units=[seconds]")],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    spans = out / "candles_1s/.KRW-BTC.csv.gz.spans.json"
    deadline = time.monotonic() + 120
    while not (spans.exists() and len(json.loads(spans.read_text())["spans"]) and proc.poll() is None):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.4)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (out / "candles_1s/KRW-BTC.csv.gz").exists()      # killed before its merge: only the journal
    faults.latency_ms = 0
    rc, res, err = download(srv, out, capsys, "download.units=[seconds]")
    assert rc == 0 and res["rows"][0]["missing"] == [], err
    rows = rows_of(out / "candles_1s/KRW-BTC.csv.gz")
    ts = [int(r[0]) for r in rows]
    assert len(rows) == 4 * 1500 and ts == sorted(set(ts))
    assert not list((out / "candles_1s").glob(".*.part.csv"))


def test_429s_back_off_and_the_download_completes_without_a_418(srv, tmp_path, capsys, faults):
    faults.storm_429_rate = 0.3
    rc, res, err = download(srv, tmp_path, capsys, "download.units=[minutes1,trades]")
    assert rc == 0, err
    assert res["backoffs_429"] > 0 and all(r["missing"] == [] for r in res["rows"])
    assert by_unit(res)["minutes1"]["rows"] == 1500 and by_unit(res)["trades"]["rows"] == 6000
    assert not srv.state.limiter._blocked


def test_server_budget_below_the_clients_is_kept_by_remaining_req(srv, tmp_path, capsys):
    lim = srv.state.limiter
    before = dict(lim.limits)
    lim.limits["candle"] = (4, 1.0)            # the server allows 4/s; the client's own budget is 10/s
    try:
        rc, res, err = download(srv, tmp_path, capsys, "download.units=[minutes1]",
                                "download.start=2025-09-26T00:00:00Z")
    finally:
        lim.limits.update(before)
    assert rc == 0 and res["rows"][0]["rows"] == 1440, err
    assert res["backoffs_429"] <= 1 and not lim._blocked


def test_malformed_page_stops_with_the_endpoint_named(srv, tmp_path, capsys, faults):
    faults.history_malformed_rate = 1.0
    rc, _, err = download(srv, tmp_path, capsys, "download.units=[minutes1]")
    assert rc == 4
    assert "GET /v1/candles/minutes/1 (KRW-BTC)" in err and "not JSON" in err


@pytest.mark.parametrize(("extra", "named"), [
    (["markets=[btc]"], "markets"),
    (["markets=[KRW-NOPE]"], "KRW-NOPE"),
    (["download.end=2025-09-01"], "download.end"),
    (["download.start=null"], "download.start"),
    (["download.start=yesterday"], "download.start"),
    (["download.units=[hours]"], "download.units"),
])
def test_bad_markets_and_ranges_exit_2_naming_the_setting(srv, tmp_path, capsys, extra, named):
    from engine.cli import main
    rc = main([*args(srv, tmp_path, "download.units=[minutes1]"), *extra])
    err = capsys.readouterr().err
    assert rc == 2 and named in err, err
    assert not (tmp_path / "candles_1m").exists()


def test_store_option_inserts_the_files(srv, tmp_path, capsys):
    db = tmp_path / "s.db"
    rc, _, err = download(srv, tmp_path / "upbit", capsys, "download.units=[minutes1]", "download.store=true",
                          f"store.path={db}")
    assert rc == 0, err
    from registry import build
    with build("store", {"component": "sqlite", "path": str(db)}) as st:
        assert len(st.read_candles("KRW-BTC", None, None, 60)) == 1500


def test_help_names_the_download():
    out = subprocess.run([sys.executable, "-m", "engine.cli", "data", "download", "--help", "ui.lang=en"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0 and "scalp data download" in out.stdout and "download.start" in out.stdout


def test_parts_older_than_the_exchange_serves_are_reported_not_fetched(srv, tmp_path, capsys):
    from engine.cli import main

    def run(*extra, text=False):
        rng = ["download.start=2025-06-01", "download.end=2025-09-26T00:00:00Z"]
        drop = ("download.start=", "download.end=") + (("--json",) if text else ())
        return main([a for a in args(srv, tmp_path, *extra) if not a.startswith(drop)] + rng)
    # trades: 7 days back from the exchange's newest trade day (2025-09-26) = 2025-09-19; seconds: 90 days
    assert run("download.units=[trades,seconds]") == 0
    u = by_unit(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert u["trades"]["unreachable"] == [1748736000000, 1758240000000]         # 06-01 -> 09-19 00:00
    assert u["seconds"]["unreachable"][0] == 1748736000000 and u["seconds"]["unreachable"][1] > 1748736000000
    assert u["trades"]["missing"] == [] and u["trades"]["rows"] == 240         # the 25th's last hour only
    assert run("download.units=[trades]", text=True) == 0
    assert "KRW-BTC trades: 2025-06-01 00:00:00 -> 2025-09-19 00:00:00 is older than the last 7 days the exchange " \
           "serves" in capsys.readouterr().out
