"""No data is an error: a paper session whose feed delivers nothing stops with exit 3 after feed.stale_after_s."""
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEAD_URL = "ws://127.0.0.1:1/websocket/v1"          # port 1: the connection is refused at once, every time


def test_paper_on_a_dead_feed_exits_3_within_stale_after_s(tmp_path):
    argv = [sys.executable, "-m", "engine.cli", "paper", "feed=upbit_ws", f"feed.url={DEAD_URL}",
            "feed.stale_after_s=3", "ui.lang=en", f"store.path={tmp_path / 's.db'}", "markets=[KRW-BTC]",
            "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]", "entry=prob_threshold",
            f"hydra.run.dir={tmp_path / 'hydra'}"]
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=60)
    took_s = time.monotonic() - t0
    assert proc.returncode == 3, proc.stderr
    # one clear line: which URL, for how long, what came last (nothing)
    assert f"error: no market data from {DEAD_URL} for 3 s (last received: nothing)" in proc.stderr.splitlines()
    # every refused connection is a WARNING naming the URL, on stderr with the other problems
    warnings = [line for line in proc.stderr.splitlines() if "[WARNING]" in line and "ws_disconnect" in line]
    assert warnings and all(DEAD_URL in line for line in warnings), proc.stderr
    assert "[WARNING]" not in proc.stdout
    assert "paper stopped (failed)" in proc.stdout
    assert took_s < 3 + 5 + 15, took_s            # stale_after_s + 5 s, plus the process start (imports, Hydra)


def test_a_session_that_receives_data_is_not_stopped_by_the_watch():
    from components.types.events import Trade
    from engine.live.runner import _Silence
    watch = _Silence(3.0, DEAD_URL)
    now = watch.last_s
    assert watch.message(now + 2.9) == ""
    watch.seen(Trade("KRW-BTC", 1_700_000_000_000, 100.0, 1.0, 1, 7))
    assert watch.message(watch.last_s + 2.9) == ""
    late = watch.message(watch.last_s + 3.0)
    assert late.startswith(f"no market data from {DEAD_URL} for 3 s (last received: trade KRW-BTC ts_ms=1700000000000")
    assert _Silence(0.0, DEAD_URL).message(now + 1e9) == ""      # a feed without the param is not watched
