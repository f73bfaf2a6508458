"""README acceptance: start `scalp exchange-server`, point ccxt at it, place and cancel an order."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

README_SNIPPET = '''
import ccxt
BASE = "http://127.0.0.1:8765"
ex = ccxt.upbit({"apiKey": "scalp-local-access", "secret": "scalp-local-secret-key-for-tests-only-0001",
                 "urls": {"api": {"public": BASE, "private": BASE}}})
book = ex.fetch_order_book("ADA/KRW")
order = ex.create_order("ADA/KRW", "limit", "buy", 5, book["bids"][0][0] - 10)
print("placed", order["id"], ex.fetch_order(order["id"])["status"])
ex.cancel_order(order["id"])
print("canceled", ex.fetch_order(order["id"])["status"])
'''


def test_readme_ccxt_script_places_and_cancels(shared_data, tmp_path):
    pytest.importorskip("ccxt")
    scalp = Path(sys.executable).with_name("scalp")
    env = {**os.environ, "SCALP_SERVER_ACCESS_KEY": "", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([str(scalp), "exchange-server", "port=0", "source.speed=5", "ui.lang=en",
                             f"source.path={shared_data / 'upbit/ws_captures'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = proc.stdout.readline()
        m = re.search(r"REST (http://127\.0\.0\.1:\d+)", line)
        assert m, line
        base = m.group(1)
        time.sleep(1.5)      # let the replay publish a first book
        script = tmp_path / "readme.py"
        script.write_text(README_SNIPPET.replace("http://127.0.0.1:8765", base))
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env)
        assert out.returncode == 0, out.stderr
        assert "placed" in out.stdout and " open" in out.stdout and "canceled canceled" in out.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _server(*args):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "exchange-server", "port=0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[3])


def test_ctrl_c_exits_130_like_every_command(shared_data):
    import signal
    proc = _server("ui.lang=en", f"source.path={shared_data / 'upbit/ws_captures/UPBIT-d78752.0'}")
    try:
        assert "REST http://127.0.0.1:" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in err, err


def test_missing_replay_data_exits_3_in_ui_lang(tmp_path):
    proc = _server("ui.lang=ko", f"source.path={tmp_path / 'nothing'}")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert re.search(r"[\uac00-\ud7a3]", err) and "does not exist" not in err, err


def test_bad_server_config_exits_2_naming_the_key():
    proc = _server("ui.lang=ko", "faults.latency_ms=-1")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "faults.latency_ms" in err and "Input should" not in err, err
