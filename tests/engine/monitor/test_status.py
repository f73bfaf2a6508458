"""`scalp status`: finds a running `scalp paper` through its session file, prints its /health; exit 5 when none."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.engine.monitor.conftest import BASE

ROOT = Path(__file__).resolve().parents[3]


def scalp(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_status_without_a_session_exits_5(tmp_path):
    out = scalp("status", f"store.path={tmp_path / 'none.db'}", "ui.lang=en")
    assert out.returncode == 5, out.stderr
    assert "no running session" in out.stderr and str(tmp_path / "sessions") in out.stderr


def test_status_of_a_running_paper_session(server, tmp_path):
    db = tmp_path / "s.db"
    cmd = [sys.executable, "-m", "engine.cli", "paper", "feed=upbit_ws", f"feed.url={server.ws_url}",
           f"feed.rest_url={server.base_url}", f"store.path={db}", *BASE, "--duration-s", "120"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read()[-2000:]
            if m := re.match(r"monitor: (http://127\.0\.0\.1:(\d+)) ", line):
                url, port = m.group(1), int(m.group(2))
        assert url and port != 9108                     # monitor.port=0: a free port, printed on stdout
        files = list((tmp_path / "sessions").glob("*.json"))
        info = json.loads(files[0].read_text())
        assert len(files) == 1 and info["pid"] == proc.pid and info["port"] == port and info["mode"] == "paper"
        deadline = time.monotonic() + 60                # the feed's first events: /health says ready
        while httpx.get(url + "/health", timeout=10).status_code != 200:
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            assert time.monotonic() < deadline, "the session's /health never answered 200 within 60 s"
            time.sleep(0.2)
        found = scalp("status", f"store.path={db}", "ui.lang=en")
        assert found.returncode == 0, found.stdout + found.stderr
        assert found.stdout.startswith("healthy · paper run ") and f"pid {proc.pid}" in found.stdout
        assert re.search(r"feed\s+✓", found.stdout)
        by_port = scalp("status", "--json", "--port", str(port))
        body = json.loads(by_port.stdout)
        assert by_port.returncode == 0 and body["status"] == "ok" and body["pid"] == proc.pid
        assert set(body["checks"]) == {"engine", "feed", "exchange", "store"}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
    assert not list((tmp_path / "sessions").glob("*.json"))      # removed at stop
    gone = scalp("status", f"--url={url}", "ui.lang=en")
    assert gone.returncode == 5 and "cannot reach" in gone.stderr
