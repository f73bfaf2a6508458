"""`scalp paper` with webhook and Telegram alerts, as a user runs it (a subprocess against the local server):
the trip reaches both fake endpoints, the job log holds heartbeat lines, and neither secret appears in stdout,
stderr or any file of the run directory (Hydra outputs, job log)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HOOK_TOKEN = "cli-webhook-s3cr3t-77aa"
BOT_TOKEN = "555111:AAcli-bot-s3cr3t-token"


def test_scalp_paper_alerts_without_leaking_a_secret(server, endpoint, tmp_path):
    hook_ep, bot_ep = endpoint(), endpoint()
    run_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCALP_ALERT_WEBHOOK_URL": f"{hook_ep.base_url}/wh/{HOOK_TOKEN}",
           "SCALP_TELEGRAM_BOT_TOKEN": BOT_TOKEN, "SCALP_TELEGRAM_CHAT_ID": "42"}
    argv = ["ui.lang=en", "feed=upbit_ws", f"feed.url={server.ws_url}", f"feed.rest_url={server.base_url}",
            "markets=[KRW-DAWN,KRW-STX]", "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]",
            "entry=prob_threshold", "towers.random_entry.entry_rate=0.5", "fill_model=queue_conservative",
            f"store.path={tmp_path / 's.db'}", f"hydra.run.dir={run_dir}", "killswitches=[daily_loss]",
            "killswitches.daily_loss.loss_pct=0.001", "alerts=[webhook,telegram]",
            f"alerts.telegram.base_url={bot_ep.base_url}", "logging.heartbeat_s=1", "logging.stall_beats=30"]
    # Stopped (SIGTERM: an orderly stop, exit 0) once the trip reached the webhook and three heartbeats are in
    # the job log, not after a fixed 8 s: a loaded machine's first fill can come later than that
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "paper", "--duration-s", "120", *argv], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = run_dir / "paper.log"
    deadline = time.monotonic() + 120
    while not (any("kill switch daily_loss" in b["content"] for b in hook_ep.bodies())
               and log.exists() and log.read_text().count("[scalp.heartbeat]") >= 3):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    out = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    assert out.returncode == 0, out.stderr[-3000:]
    hook = [b["content"] for b in hook_ep.bodies()]
    bot = [b["text"] for b in bot_ep.bodies(f"/bot{BOT_TOKEN}/sendMessage")]
    assert sum("kill switch daily_loss" in x for x in hook) == 1
    assert sum("kill switch daily_loss" in x for x in bot) == 1
    assert "paper session started" in bot[0] and "paper session stopped (done)" in bot[-1]
    log_text = (run_dir / "paper.log").read_text()
    beats = [json.loads(line.split(" - ", 1)[1]) for line in log_text.splitlines() if "[scalp.heartbeat]" in line]
    assert len(beats) >= 3 and all(b["event"] == "heartbeat" for b in beats) and beats[-1]["equity_krw"] > 0
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    assert any(p.parent.name == ".hydra" for p in files)                # Hydra's outputs are there and checked
    for secret in (HOOK_TOKEN, BOT_TOKEN):
        assert secret not in out.stdout and secret not in out.stderr
        assert not [p for p in files if secret in p.read_text(errors="replace")]
