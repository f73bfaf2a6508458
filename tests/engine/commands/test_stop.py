"""`scalp stop` without a session process: which runs it picks, what it refuses, and its exit codes."""
import socket
import subprocess
import sys

import registry
from engine.commands import stop


def _store(tmp_path):
    registry.load_all()
    return registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")


def _dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _run(store, pid, host=None, status="running"):
    rid = store.start_run("p", {"_process": {"pid": pid, "host": host or socket.gethostname(), "start": None}},
                          mode="paper")
    if status != "running":
        store.finish_run(rid, status)
    return rid


def test_a_run_whose_process_is_gone_is_marked_crashed(tmp_path, capsys):
    store = _store(tmp_path)
    rid = _run(store, _dead_pid())
    ov = [f"store.path={tmp_path / 's.db'}", "ui.lang=en"]
    assert stop.main([*ov]) == 1                                       # the one running run, ended otherwise
    assert f"run {rid} stopped: status crashed" in capsys.readouterr().out
    assert store.runs()[0]["status"] == "crashed"
    assert stop.main([*ov]) == 0 and "no session is running" in capsys.readouterr().out
    store.close()


def test_refusals_exit_2(tmp_path, capsys):
    store = _store(tmp_path)
    a, b = _run(store, _dead_pid()), _run(store, _dead_pid())
    other = _run(store, 12345, host="elsewhere")
    done = _run(store, _dead_pid(), status="done")
    ov = [f"store.path={tmp_path / 's.db'}", "ui.lang=en"]
    assert stop.main(ov) == 2 and "several sessions are running" in capsys.readouterr().err
    assert stop.main(["999", *ov]) == 2 and "no run 999" in capsys.readouterr().err
    assert stop.main([str(done), *ov]) == 2 and f"run {done} is not running" in capsys.readouterr().err
    assert stop.main([str(other), *ov]) == 2 and "another host (elsewhere)" in capsys.readouterr().err
    assert stop.main(["--bogus", *ov]) == 2 and stop.main(["1", "2", *ov]) == 2
    capsys.readouterr()
    assert stop.main(["--all", *ov]) == 2                               # the other host's run is refused ...
    out = capsys.readouterr().out
    assert f"run {a} stopped: status crashed" in out and f"run {b} stopped: status crashed" in out   # ... not these
    assert {r["id"]: r["status"] for r in store.runs()}[other] == "running"
    store.close()
