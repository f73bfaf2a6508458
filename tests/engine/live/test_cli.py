"""`scalp paper|live|cancel-all` end to end against the local server: refusals, runs, SIGTERM, cancel-all output."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from engine.live.bridge import AsyncBridge
from engine.live.exchange import LiveExchange

ROOT = Path(__file__).resolve().parents[3]
SCALP = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())"]


def args(server, tmp_path, *extra, live=True):
    a = ["ui.lang=en", "feed=upbit_ws", f"feed.url={server.ws_url}", f"feed.rest_url={server.base_url}",
         "markets=[KRW-DAWN,KRW-STX]", "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]",
         "towers.random_entry.entry_rate=0.5", "fill_model=queue_conservative", f"store.path={tmp_path / 's.db'}",
         f"hydra.run.dir={tmp_path / 'hydra'}"]
    if live:
        a += ["exchange=upbit", f"exchange.base_url={server.base_url}"]
    return [*a, *extra]


def test_live_refuses_without_keys_in_env(server, tmp_path, monkeypatch, capsys):
    from engine.commands import live
    monkeypatch.delenv("UPBIT_ACCESS_KEY", raising=False)
    monkeypatch.delenv("UPBIT_SECRET_KEY", raising=False)
    assert live.main(args(server, tmp_path, "run.duration_s=1")) == 2
    out = capsys.readouterr().err
    assert "UPBIT_ACCESS_KEY" in out and "UPBIT_SECRET_KEY" in out
    assert not (tmp_path / "s.db").exists()                  # refused before anything ran or was recorded


def test_live_refuses_multirun_wrong_mode_and_sim_exchange(server, tmp_path, keys, capsys):
    from engine.commands import live
    keys("cli-refuse")
    assert live.main(["-m", *args(server, tmp_path, "seed=1,2")]) == 2
    assert "multirun" in capsys.readouterr().err.lower()
    assert live.main(args(server, tmp_path, "mode=paper")) == 2
    assert "mode=live" in capsys.readouterr().err
    assert live.main(args(server, tmp_path, "exchange=sim", live=False)) == 2
    assert "exchange=upbit" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()


def test_live_command_runs_and_stops_cleanly(server, tmp_path, keys, orders_on, capsys):
    from engine.commands import live
    access, _ = keys("cli-run")
    # gates off explicitly: this test is about the session, the gates are tested in test_gates.py
    assert live.main(args(server, tmp_path, "run.duration_s=3", "live.gates.enabled=false")) == 0
    out = capsys.readouterr().out
    assert "live stopped (done)" in out and "still open 0" in out
    assert orders_on(access)[0] == []
    assert not (tmp_path / "hydra" / ".hydra").exists()      # no config dump for live runs


def test_paper_command_with_duration(server, tmp_path, capsys):
    from engine.commands import paper
    assert paper.main(args(server, tmp_path, "--duration-s", "2", live=False)) == 0
    assert "paper stopped (done)" in capsys.readouterr().out


def _running(db):
    """The store holds a run marked running: the paper/live command is inside its session (signals handled)."""
    import sqlite3
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def test_paper_process_exits_130_on_ctrl_c(server, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*SCALP, "paper", *args(server, tmp_path, "run.duration_s=120", live=False)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The database exists before the signal handlers do (a loaded machine's SIGINT 2 s after it met Python's
    # default handler: no "paper stopped" at all); the run record marked running is made inside the session
    deadline = time.monotonic() + 120
    while not _running(tmp_path / "s.db"):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no running session within 120 s"
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, out + err
    assert "paper stopped (done)" in out and "interrupted" in err


def _decisions_made(url):
    """scalp_decisions as the session's /metrics says (0 while the monitor is not answering yet)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families
    try:
        text = httpx.get(url + "/metrics", timeout=5).text
    except httpx.HTTPError:
        return 0
    return sum(s.value for f in text_string_to_metric_families(text) if f.name == "scalp_decisions"
               for s in f.samples if s.name.endswith("_total"))


def test_paper_process_stops_on_sigterm_and_flushes(server, tmp_path):
    import re
    import threading

    import registry
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # no periodic flush: whatever the store holds afterwards was written on the way out
    proc = subprocess.Popen([*SCALP, "paper", *args(server, tmp_path, "run.duration_s=120", "monitor.port=0",
                                                    "live.flush_interval_s=3600", live=False)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []

    def read():
        for line in proc.stdout:
            lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        # SIGTERM once the session has decided (its /metrics says so), not after a fixed sleep: on a loaded
        # machine the first events (feature kernels compile) can take longer than any sleep chosen here
        deadline, url = time.monotonic() + 120, None
        while not (url and _decisions_made(url) > 0):
            assert proc.poll() is None, "".join(lines)[-2000:]
            assert time.monotonic() < deadline, "no decision within 120 s:\n" + "".join(lines)[-2000:]
            url = url or next((m.group(1) for x in list(lines) if (m := re.match(r"monitor: (http://\S+) ", x))), None)
            time.sleep(0.2)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        reader.join(15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = "".join(lines)
    db = tmp_path / "s.db"
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 0, out
    assert "paper stopped (done)" in out
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    run = store.runs()[-1]
    assert run["status"] == "done" and run["mode"] == "paper"
    assert store.records("decisions", run["id"])                # flushed on the way out
    store.close()


def test_cancel_all_command_cancels_every_open_order(server, rest_for, orders_on, keys, tmp_path, capsys):
    from components.types.tick import snap, table_tick
    from engine.commands import cancel_all
    access, _ = keys("cancel")
    last = server.call(lambda: server.state.market.stats["KRW-DAWN"].last)
    px = snap(last * 0.8, table_tick(last * 0.8), "down")
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest_for("cancel"), bridge)
        mine = ex.create_order("KRW-DAWN", "bid", "limit", volume=int(6000 / px) + 1, price=px,
                               identifier="scalp-5-x-0000001")
        theirs = ex.create_order("KRW-DAWN", "bid", "limit", volume=int(6000 / px) + 1, price=px,
                                 identifier="by-hand-2")
        ex.close()
    assert len(orders_on(access)[0]) == 2
    rc = cancel_all.main(["ui.lang=en", "exchange=upbit", f"exchange.base_url={server.base_url}",
                          f"hydra.run.dir={tmp_path / 'h'}"])
    out = capsys.readouterr().out
    assert rc == 0
    assert mine.uuid in out and theirs.uuid in out and "cancelled 2 open order(s); 0 still open" in out
    assert orders_on(access)[0] == []
    assert cancel_all.main(["ui.lang=en", "exchange=upbit", f"exchange.base_url={server.base_url}",
                            f"hydra.run.dir={tmp_path / 'h'}"]) == 0
    assert "no open orders" in capsys.readouterr().out
