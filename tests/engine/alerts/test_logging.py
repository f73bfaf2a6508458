"""Job logs rotate by size (logging.max_bytes / logging.backups through conf/hydra/settings.yaml), and the
`alerting` / `logging` nodes are strict: a bad value names its dotted path."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import registry
from engine.app import compose, job_config
from engine.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
JOB = """
import logging, sys
from engine.app import hydra_command
def job(cfg):
    log = logging.getLogger("scalp.live")
    for i in range(300):
        log.info('{"event": "order_sent", "i": %d, "pad": "%s"}' % (i, "x" * 40))
    return 0
sys.exit(hydra_command("paper", sys.argv[1:], job))
"""


def test_the_job_log_rotates_at_max_bytes(tmp_path):
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", JOB, f"hydra.run.dir={run}", "logging.max_bytes=3000",
                          "logging.backups=2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    files = sorted(p.name for p in run.glob("paper.log*"))
    assert files == ["paper.log", "paper.log.1", "paper.log.2"]            # older ones beyond backups are gone
    assert all(p.stat().st_size <= 3000 for p in run.glob("paper.log*"))
    assert '"i": 299' in (run / "paper.log").read_text()                  # the newest line is in the live file
    assert '"i": 0,' not in "".join(p.read_text() for p in run.glob("paper.log*"))


@pytest.mark.parametrize("override, path", [("alerting.rate_per_min=0", "alerting.rate_per_min"),
                                            ("alerting.daily_summary_hour_kst=24", "alerting.daily_summary_hour_kst"),
                                            ("+alerting.events.trades=true", "alerting.events.trades"),
                                            ("logging.stall_beats=1", "logging.stall_beats"),
                                            ("logging.max_bytes=-1", "logging.max_bytes")])
def test_bad_settings_name_the_dotted_path(override, path):
    with pytest.raises(registry.ConfigError) as e:
        Settings.from_cfg(job_config(compose([override])))
    assert [p for p, _ in e.value.problems] == [path]


def test_defaults_compose():
    s = Settings.from_cfg(job_config(compose(["alerts=[log,webhook,telegram]"])))
    assert s.alerting.events.killswitch and not s.alerting.events.fills and s.logging.heartbeat_s == 60
