"""Acceptance against the local exchange server: a paper session takes a valid reload (watched file, SIGHUP) and
keeps its config on a bad one; `scalp stop` ends a real `scalp paper` process gracefully."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import registry
from engine.control.hook import reloads

ROOT = Path(__file__).resolve().parents[3]


def _wait(cond, timeout_s=60.0, what=""):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_watched_file_reload_in_a_paper_session(make_cfg, tmp_path, monkeypatch, caplog):
    from engine.live import hooks as H
    from engine.live.runner import run_session
    seen = {}
    mod = types.ModuleType("_scalp_test_control")
    mod.grab = lambda ctx: seen.setdefault("ctx", ctx) and None
    monkeypatch.setitem(sys.modules, "_scalp_test_control", mod)
    monkeypatch.setattr(H, "HOOK_FACTORIES", (*H.HOOK_FACTORIES, "_scalp_test_control:grab"))
    f = tmp_path / "override.yaml"
    cfg = make_cfg("paper", f"control.reload_file={f}")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "r.db")}, path="store")
    stop = threading.Event()
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("res", run_session(cfg, "paper", store=store, stop=stop,
                                                                           duration_s=120)))
    th.start()
    try:
        ctx = _wait(lambda: seen.get("ctx"), what="the session start")
        control = _wait(lambda: ctx.extra.get("control"), what="the control hook")
        switch = ctx.loop.risk.switches["daily_loss"]
        f.write_text("killswitches:\n  daily_loss:\n    loss_pct: -2\nlimits.cooldown_s: 1\n")
        _wait(lambda: [r for r in caplog.records if "config_reload_refused" in r.getMessage()], what="the refusal")
        line = json.loads(next(r.getMessage() for r in caplog.records if "config_reload_refused" in r.getMessage()))
        assert [p["path"] for p in line["problems"]] == ["killswitches.daily_loss.loss_pct"]
        assert th.is_alive() and switch.p.loss_pct == 8.0 and ctx.loop.risk.cooldown_ms == 30_000
        n_events = ctx.result.events
        assert not any(k[0] == "daily_loss" for k in ctx.loop.risk.trips)
        f.write_text("killswitches.daily_loss.loss_pct: 0.0001\nlimits.cooldown_s: 1\n")   # trips at the first fee
        _wait(lambda: switch.p.loss_pct == 0.0001, what="the accepted reload")
        assert ctx.loop.risk.cooldown_ms == 1000 and control.accepted == 1 and th.is_alive()
        # the risk manager evaluates the new threshold: the first fee paid puts equity below the day start
        _wait(lambda: any(k[0] == "daily_loss" for k in ctx.loop.risk.trips), 60, "a daily_loss trip")
        assert ctx.result.events > n_events
    finally:
        stop.set()
        th.join(60)
    res = out["res"]
    assert res.status == "done"
    (stored,) = reloads(store, res.run_id)
    assert stored["source"] == "file" and stored["changes"] == {
        "killswitches.daily_loss.loss_pct": {"old": 8.0, "new": 0.0001},
        "limits.cooldown_s": {"old": 30, "new": 1}}
    store.close()


def _paper(server, tmp_path, *extra):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["ui.lang=en", "feed=upbit_ws", f"feed.url={server.ws_url}", f"feed.rest_url={server.base_url}",
            "markets=[KRW-DAWN,KRW-STX]", "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]",
            "entry=prob_threshold", "towers.random_entry.entry_rate=0.5", "fill_model=queue_conservative",
            f"store.path={tmp_path / 's.db'}", f"hydra.run.dir={tmp_path / 'hydra'}", "run.duration_s=120", *extra]
    err = open(tmp_path / "stderr.log", "w")
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "paper", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=err, text=True)


def _count(db, sql):
    import sqlite3
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def _running(db):
    return _count(db, "SELECT count(*) FROM runs WHERE status = 'running'") > 0


def _deciding(db):
    """Decisions flushed: the engine loop runs, so the hooks have started (the control hook's start clears a
    SIGHUP that came before it: the file is read at start anyway)."""
    return _count(db, "SELECT count(*) FROM decisions") > 0


def test_sighup_reload_and_scalp_stop_on_a_real_paper_process(server, tmp_path, capsys):
    from engine.commands import stop
    f = tmp_path / "override.yaml"
    proc = _paper(server, tmp_path, f"control.reload_file={f}", "control.poll_interval_s=3600")   # SIGHUP only
    log = tmp_path / "stderr.log"
    try:
        _wait(lambda: _running(tmp_path / "s.db"), 90, "the run record")    # the process made and migrated it
        store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
        rid = store.runs()[0]["id"]
        _wait(lambda: _deciding(tmp_path / "s.db"), 120, "the session's first decisions")   # past the start
        f.write_text("killswitches.daily_loss.loss_pctt: 3\n")
        proc.send_signal(signal.SIGHUP)
        _wait(lambda: "config_reload_refused" in log.read_text(), 20, "the refused SIGHUP reload")
        assert "killswitches.daily_loss.loss_pctt" in log.read_text() and proc.poll() is None
        f.write_text("killswitches.daily_loss.loss_pct: 6.5\n")
        proc.send_signal(signal.SIGHUP)
        _wait(lambda: '"event": "config_reload"' in log.read_text(), 20, "the accepted SIGHUP reload")
        assert proc.poll() is None
        assert stop.main([str(rid), f"store.path={tmp_path / 's.db'}", "ui.lang=en"]) == 0
        assert f"run {rid} stopped: status done" in capsys.readouterr().out
        assert proc.wait(30) == 0                     # SIGTERM is an orderly stop (exit 0), not an interrupt
        (stored,) = reloads(store, rid)
        # the refused SIGHUP changed nothing: the accepted one starts from the start config's value
        assert stored["source"] == "sighup" and stored["changes"] == {
            "killswitches.daily_loss.loss_pct": {"old": 8.0, "new": 6.5}}
        assert stop.main([str(rid), f"store.path={tmp_path / 's.db'}", "ui.lang=en"]) == 2   # not running now
        store.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
