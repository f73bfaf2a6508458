"""`scalp bench decision [--json] [--events=N] [--iterations=N]`: event -> order intent latency with CatBoost.

Per closed 1m candle of the bundled data: FeatureSet.update + vector, CatBoost tower step (exported
trees + isotonic), weighted fusion, cost-aware entry, and an OrderIntent when it says enter. The tower
is trained first (Plain boosting to keep the bench short; inference cost depends only on the trees:
iterations x depth, spec defaults 500 x 6). Also reports the training time of one walk-forward fold.
Wall-clock percentiles include preemption by other processes (load_avg_1m is printed with them);
cpu_* percentiles count only this thread's CPU time.
"""
from __future__ import annotations

import json
import os
import platform
import time

import numpy as np


def _arg(argv: list[str], name: str, default: int) -> int:
    for a in argv:
        if a.startswith(f"--{name}="):
            return int(a.split("=", 1)[1])
    return default


def run(events: int = 5000, iterations: int = 500, boosting_type: str = "Plain", market: str = "KRW-BTC") -> dict:
    import registry
    from components.entry.base import EntryContext
    from components.types.orders import OrderIntent
    from engine.app import compose, job_config
    from engine.features import FeatureSet
    from engine.walkforward import (WalkForwardParams, build_dataset, feature_nodes, label_of, load_streams,
                                    make_folds)
    registry.load_all()
    cfg = job_config(compose([f"markets=[{market}]"]))
    streams = load_streams(cfg)
    _, label, _ = label_of(cfg)
    feats = feature_nodes(cfg)
    ds = build_dataset(streams, feats, label, stride_bars=2)
    fold = make_folds(ds, WalkForwardParams(folds=1))[0]
    tower = registry.build("tower", {"component": "catboost", "iterations": iterations,
                                     "boosting_type": boosting_type}, path="towers.catboost")
    t0 = time.perf_counter()
    tower.fit(ds.X[fold.train], ds.y[fold.train], ds.names, X_cal=ds.X[fold.cal], y_cal=ds.y[fold.cal],
              cal_ts_ms=ds.ts_ms[fold.cal])
    train_s = time.perf_counter() - t0
    fusion = registry.build("fusion", {"component": "weighted"}, path="fusion")
    entry = registry.build("entry", {"component": "cost_aware", "min_edge_pct": 0.0}, path="entry")
    fs = FeatureSet.from_config(feats)
    tower.bind(fs.names)
    vr = fs.names.index("vol_regime") if "vol_regime" in fs.names else -1
    stream = streams[market]
    evs = list(stream.events())
    for e in evs[:max(0, len(evs) - events)]:       # warm the features on the earlier history
        fs.update(e)
    lat, cpu, intents = [], [], 0
    for e in evs[-events:]:
        c = time.thread_time_ns()
        t = time.perf_counter_ns()
        fs.update(e)
        x = fs.vector()
        p = float(tower.step(x)[0])
        fused = fusion.combine({"catboost": p}, "majors")
        v = entry.decide(fused, EntryContext(spread_frac=0.0002, vol_regime=float(x[vr]) if vr >= 0 else 1.0))
        if v.enter:
            OrderIntent(market, "bid", "price", price=10_000.0, reason="entry")
            intents += 1
        lat.append(time.perf_counter_ns() - t)
        cpu.append(time.thread_time_ns() - c)
    us = np.asarray(lat[50:]) / 1000.0           # first calls compile/warm caches
    cpu_us = np.asarray(cpu[50:]) / 1000.0       # CPU time: excludes preemption by other processes
    return {"bench": "decision", "events": len(us), "intents": intents, "tower": "catboost",
            "trees": iterations, "depth": 6, "features": len(fs.names),
            "p50_us": round(float(np.percentile(us, 50)), 2), "p99_us": round(float(np.percentile(us, 99)), 2),
            "max_us": round(float(us.max()), 2), "target_p99_us": 1000.0,
            "cpu_p50_us": round(float(np.percentile(cpu_us, 50)), 2),
            "cpu_p99_us": round(float(np.percentile(cpu_us, 99)), 2),
            "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
            "train_fold_seconds": round(train_s, 2), "train_rows": int(len(fold.train)),
            "train_boosting_type": boosting_type, "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "command": "scalp bench decision --json"}


def main(argv: list[str]) -> int:
    out = run(_arg(argv, "events", 5000), _arg(argv, "iterations", 500),
              "Ordered" if "--ordered" in argv else "Plain")
    if "--json" in argv:
        print(json.dumps(out))
    else:
        from engine.i18n import t
        print(t("bench.decision.header"))
        for k, v in out.items():
            print(f"  {k}: {v}")
    return 0
