"""Fixtures of the tuning tests: a copy of conf/ with a tiny search space, run dirs in tmp, a `scalp` runner."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Two markets, three days, two folds, 10-tree CatBoost: one trial ~5 s of CPU on the bundled candles. Fixed size
# and no kill switches so every fold trades (the figures compared are about real trades).
TINY = """# tiny test space
n_trials: 3
startup_trials: 1
seed: 7
base:
  - towers=[catboost]
  - towers.catboost.iterations=10
  - markets=[KRW-BTC,KRW-ETH]
  - feed.start=2025-09-24T00:00:00Z
  - entry=prob_threshold
  - sizing=fixed_krw
  - killswitches=[]
  - walkforward.folds=2
  - walkforward.baseline_draws=20
  - walkforward.min_trades=5
params:
  entry.min_prob: float[0.01,0.06]
  towers.catboost.depth: int[2,4]
"""


@pytest.fixture()
def tune_env(tmp_path, monkeypatch):
    """(env for subprocesses, overrides that keep outputs in tmp, conf dir): SCALP_CONF_DIR -> a copy of conf/
    holding conf/tune/tiny.yaml, so best-override YAMLs land in the copy, never in the repository."""
    conf = tmp_path / "conf"
    shutil.copytree(ROOT / "conf", conf)
    (conf / "tune" / "tiny.yaml").write_text(TINY)
    monkeypatch.setenv("SCALP_CONF_DIR", str(conf))
    monkeypatch.delenv("SCALP_TUNE_STORAGE", raising=False)
    env = {**os.environ, "SCALP_CONF_DIR": str(conf), "PYTHONPATH": str(ROOT)}
    args = [f"run.out_dir={tmp_path / 'out'}", f"store.path={tmp_path / 'out' / 's.db'}", "ui.lang=en"]
    return env, args, conf


@pytest.fixture()
def start_scalp():
    """start_scalp(env, *argv) -> a `scalp <argv>` child process (started, not waited for)."""
    def start(env: dict, *argv: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "engine.cli", *argv], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return start
