"""`-m` sweeps spread over processes (joblib, installed) or a Ray cluster (`pip install -e ".[ray]"`): 2 jobs each."""
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import registry

ROOT = Path(__file__).resolve().parents[3]
# A rule bot (nothing to train) on one day of BTC candles: two jobs differing in their hard stop.
SWEEP = ["towers=[momentum_rule]", "entry=prob_threshold", "markets=[KRW-BTC]", "feed.start=2025-09-26T00:00:00Z",
         "sizing=fixed_krw", "killswitches=[]", "exits.hard_stop.loss_pct=0.5,1.0", "ui.lang=en"]


def _sweep(tmp_path, launcher: list[str], env: dict | None = None) -> list[dict]:
    db = tmp_path / "s.db"
    registry.build("store", {"component": "sqlite", "path": str(db)}, path="store").close()   # schema made once
    out = subprocess.run([sys.executable, "-m", "engine.cli", "backtest", "-m", *launcher, *SWEEP,
                          f"store.path={db}", f"run.out_dir={tmp_path / 'out'}", f"hydra.sweep.dir={tmp_path / 'sw'}"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("report: ") == 2
    with sqlite3.connect(db) as con:
        return [json.loads(c) for (c,) in con.execute("select config from runs order by id")]


def test_joblib_launcher_runs_two_jobs_in_two_worker_processes(tmp_path):
    runs = _sweep(tmp_path, ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"])
    assert sorted(r["exits"]["hard_stop"]["loss_pct"] for r in runs) == [0.5, 1.0]
    pids = {r["_process"]["pid"] for r in runs}
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.skipif(importlib.util.find_spec("ray") is None or
                    importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None,
                    reason='ray not installed (pip install -e ".[ray]" in a fresh venv, see README)')
def test_ray_launcher_runs_a_two_job_sweep_on_a_local_ray(tmp_path, monkeypatch):
    import shutil
    import tempfile
    import ray
    short = tempfile.mkdtemp(prefix="ray", dir="/tmp")      # Ray's socket paths must stay under 108 bytes
    monkeypatch.setenv("RAY_TMPDIR", short)
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")            # a throwaway local cluster: no token files
    monkeypatch.setenv("PYTHONPATH", str(ROOT))                # Ray workers import the engine from this checkout
    ctx = ray.init(num_cpus=2, include_dashboard=False, _temp_dir=short)
    try:
        address = ctx.address_info["address"]
        # hydra-ray-launcher 1.2.2 always passes object_store_memory, which Ray 2.60 refuses when joining a cluster
        runs = _sweep(tmp_path, ["hydra/launcher=ray", f"hydra.launcher.ray.init.address={address}",
                                 "+hydra.launcher.ray.init.object_store_memory=null"],
                      dict(os.environ))
        assert sorted(r["exits"]["hard_stop"]["loss_pct"] for r in runs) == [0.5, 1.0]
        assert len({r["_process"]["pid"] for r in runs} - {os.getpid()}) == 2      # two Ray worker processes
    finally:
        ray.shutdown()
        shutil.rmtree(short, ignore_errors=True)
