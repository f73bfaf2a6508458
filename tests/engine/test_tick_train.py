"""hfp in the walk-forward on tick feeds: purged folds over one-second rows of the bundled 2021 captures (every
training label ends before its test window; the training set grows fold by fold), and `scalp walkforward` with
only tick towers runs those folds instead of refusing."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import registry

ROOT = Path(__file__).resolve().parents[3]
TICK = ["towers=[hfp]", "features=[spread_pct,bid_ask_imbalance]", "markets=[KRW-DAWN,KRW-STX,KRW-ADA,KRW-LAMB]"]


def test_folds_are_purged_and_expanding(bundled_data, monkeypatch):
    from engine import tick_train
    from engine.app import compose, job_config
    from engine.walkforward import feature_nodes
    registry.load_all()
    cfg = job_config(compose([*TICK, f"feed.path={bundled_data}/upbit/ticks_2021"]))
    streams = registry.build("feed", {"component": "replay", "path": f"{bundled_data}/upbit/ticks_2021",
                                      "kinds": ["trade", "book"]}, path="feed").load(list(cfg.markets))
    seen = []

    def make():
        tower = registry.build("tower", {"component": "hfp"}, path="towers.hfp")
        fit = tower.fit

        def spy(X, y, names, **kw):
            seen.append((np.asarray(y).copy(), kw["span_ms"]))
            return fit(X, y, names, **kw)
        tower.fit = spy
        return tower
    folds = tick_train.walk_forward(make, streams, feature_nodes(cfg), 2)
    rows = tick_train.tick_rows(streams, feature_nodes(cfg), 5, 0.0, 10)
    assert [f["fold"] for f in folds] == [1, 2] and folds[0]["train_rows"] < folds[1]["train_rows"]
    for f, (y, _) in zip(folds, seen):
        trained = np.isfinite(y)
        assert trained.sum() == f["train_rows"] and f["test_rows"] > 0
        assert (rows.T_ms[trained] + 5_000 < f["test_start_ms"]).all()        # labels end before the test window
        assert 0.0 <= f["auc"] <= 1.0 and 0.0 <= f["hit_rate"] <= 1.0


def test_scalp_walkforward_runs_tick_folds(bundled_data, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "engine.cli", "walkforward", "--json", "--folds=2", *TICK,
                          f"feed.path={bundled_data}/upbit/ticks_2021"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [f["fold"] for f in doc["towers"]["hfp"]] == [1, 2]
