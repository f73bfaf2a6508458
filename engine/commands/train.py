"""`scalp train [--json] [overrides]`: fit the CatBoost tower on the data, calibrate on a later fold, save it."""
from __future__ import annotations

import json
import time

import numpy as np

from engine.app import hydra_command
from engine.i18n import t

HELP = "train + calibrate the CatBoost tower and save it with its signature"


def train(cfg, wf) -> tuple[object, dict]:
    """Train on everything before the last calibration window (+ embargo), calibrate on that window."""
    from components.tower.signature import params_hash
    from engine import evaluation as ev
    from engine.walkforward import DAY_MS, build_dataset, build_tower, feature_nodes, label_of, load_streams
    _, label, label_node = label_of(cfg)
    ds = build_dataset(load_streams(cfg), feature_nodes(cfg), label, wf.stride_bars)
    span = int(ds.ts_ms[-1] - ds.ts_ms[0])
    cal_ms = int(wf.cal_days * DAY_MS) if wf.cal_days else span // 5
    emb = max(ds.horizon_ms, int(wf.embargo_ms or 0))
    cal0 = int(ds.ts_ms[-1]) + 1 - cal_ms
    train = np.flatnonzero((ds.ts_ms < cal0 - emb) & (ds.end_ms < cal0))      # purged before the embargo
    cal = np.flatnonzero(ds.ts_ms >= cal0)
    tower, node = build_tower(cfg, wf.seed)
    t0 = time.perf_counter()
    tower.fit(ds.X[train], ds.y[train], ds.names, X_cal=ds.X[cal], y_cal=ds.y[cal], cal_ts_ms=ds.ts_ms[cal],
              span_ms=(int(ds.ts_ms[train[0]]), int(ds.ts_ms[cal[-1]])),
              label=f"{label_node.get('component')}:{params_hash(label_node)}")
    seconds = time.perf_counter() - t0
    p = tower.predict(ds.X[cal])[:, 0]
    info = {"train_rows": int(len(train)), "cal_rows": int(len(cal)), "seconds": round(seconds, 2),
            "cal_auc": ev.auc(ds.y[cal], p), "params": node,     # (ECE on the fold it was fitted on says nothing)
            "feature_importance": tower.feature_importance()}
    return tower, info


def main(argv: list[str]) -> int:
    from engine.commands.walkforward import params_from, split_flags
    try:
        flags, rest = split_flags(argv)
    except ValueError as e:
        print(e)
        return 2

    def job(cfg) -> int:
        from engine import artifacts
        try:
            tower, info = train(cfg, params_from(flags, cfg))
        except (ValueError, FileNotFoundError) as e:
            print(t("wf.error", detail=str(e)))
            return 1
        out = artifacts.run_dir(cfg, "train")
        path = artifacts.save_model(cfg, tower, "catboost", out)
        if flags.get("json"):
            print(json.dumps(artifacts.clean({**info, "model_path": str(path), "signature": tower.signature})))
            return 0
        print(t("train.done", train=info["train_rows"], cal=info["cal_rows"], seconds=info["seconds"],
                auc=f"{info['cal_auc']:.4f}"))
        print(t("run.saved", path=path))
        print(t("train.use", path=path, after=tower.signature["span_ms"][1] + 1))
        return 0

    return hydra_command("train", rest, job)
