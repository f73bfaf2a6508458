"""`scalp bench decision [--json] [--events=N] [--iterations=N] [--no-ensemble] [--quick]`: event -> order intent latency.

Per closed 1m candle of the bundled data: FeatureSet.update + vector, CatBoost tower step (exported
trees + isotonic), weighted fusion, cost-aware entry, and an OrderIntent when it says enter. The tower
is trained first (Plain boosting to keep the bench short; inference cost depends only on the trees:
iterations x depth, spec defaults 500 x 6). Also reports the training time of one walk-forward fold.
Wall-clock percentiles include preemption by other processes (load_avg_1m is printed with them);
cpu_* percentiles count only this thread's CPU time.
`ensemble` (unless --no-ensemble): the same decision with catboost + ssm (recurrent numba step, one
state per market) + regime (fitted) + weighted fusion over the majors preset weights. The ssm is
trained briefly (2 epochs): its step cost depends on its shape (d_model, d_state, layers), not on training.
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


def run(events: int = 5000, iterations: int = 500, boosting_type: str = "Plain", market: str = "KRW-BTC",
        ensemble: bool = True) -> dict:
    import registry
    from components.types.entry import EntryContext
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
    vr = fs.column("vol_regime")
    stream = streams[market]
    evs = list(stream.events())
    for e in evs[:max(0, len(evs) - events)]:       # warm the features on the earlier history
        fs.update(e)
    towers = {"catboost": tower}
    lat, cpu, intents = _measure(fs, towers, fusion, entry, vr, evs[-events:], market, EntryContext, OrderIntent)
    us = np.asarray(lat[50:]) / 1000.0           # first calls compile/warm caches
    cpu_us = np.asarray(cpu[50:]) / 1000.0       # CPU time: excludes preemption by other processes
    out = {"bench": "decision", "events": len(us), "intents": intents, "tower": "catboost",
            "trees": iterations, "depth": 6, "features": len(fs.names),
            "p50_us": round(float(np.percentile(us, 50)), 2), "p99_us": round(float(np.percentile(us, 99)), 2),
            "max_us": round(float(us.max()), 2), "target_p99_us": 1000.0,
            "cpu_p50_us": round(float(np.percentile(cpu_us, 50)), 2),
            "cpu_p99_us": round(float(np.percentile(cpu_us, 99)), 2),
            "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
            "train_fold_seconds": round(train_s, 2), "train_rows": int(len(fold.train)),
            "train_boosting_type": boosting_type, "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "command": "scalp bench decision --json"}
    if ensemble:
        out["ensemble"] = _ensemble(ds, fold, tower, feats, evs, events, market, vr, EntryContext, OrderIntent)
    return out


def _measure(fs, towers: dict, fusion, entry, vr: int, evs: list, market: str, EntryContext, OrderIntent):
    """Per event: feature update + vector, every tower's step, fusion, entry, intent (ns wall and CPU)."""
    lat, cpu, intents = [], [], 0
    ctx = {"market": market}
    for e in evs:
        c = time.thread_time_ns()
        t = time.perf_counter_ns()
        fs.update(e)
        x = fs.vector()
        scores = {tid: float(tw.step(x, ctx)[0]) for tid, tw in towers.items()}
        fused = fusion.combine(scores, "majors")
        v = entry.decide(fused, EntryContext(vol_regime=float(x[vr]) if vr >= 0 else 1.0))
        if v.enter:
            OrderIntent(market, "bid", "price", price=10_000.0, reason="entry")
            intents += 1
        lat.append(time.perf_counter_ns() - t)
        cpu.append(time.thread_time_ns() - c)
    return lat, cpu, intents


def _ensemble(ds, fold, catboost, feats, evs, events, market, vr, EntryContext, OrderIntent) -> dict:
    """catboost + ssm (recurrent) + regime + weighted fusion, same events as the catboost-only run."""
    import registry
    from engine.ensemble import fit_tower
    from engine.features import FeatureSet
    ssm = registry.build("tower", {"component": "ssm", "epochs": 2, "max_windows_per_epoch": 64}, path="towers.ssm")
    regime = registry.build("tower", {"component": "regime"}, path="towers.regime")
    ssm_s = fit_tower(ssm, ds, fold.train, fold.cal)
    fit_tower(regime, ds, fold.train, fold.cal)
    towers = {"catboost": catboost, "ssm": ssm, "regime": regime}
    fusion = registry.build("fusion", {"component": "weighted"}, path="fusion")
    entry = registry.build("entry", {"component": "cost_aware", "min_edge_pct": 0.0}, path="entry")
    fs = FeatureSet.from_config(feats)
    for tw in towers.values():
        tw.bind(fs.names)
    head = evs[:max(0, len(evs) - events)]
    ctx = {"market": market}
    for e in head:                          # warm features and the ssm state on the earlier history
        fs.update(e)
        if fs.ready():
            ssm.step(fs.vector(), ctx)
    lat, cpu, intents = _measure(fs, towers, fusion, entry, vr, evs[-events:], market, EntryContext, OrderIntent)
    us, cpu_us = np.asarray(lat[50:]) / 1000.0, np.asarray(cpu[50:]) / 1000.0
    return {"towers": list(towers), "fusion": "weighted", "weights": fusion.weights_for(list(towers), "majors")[0],
            "events": len(us), "intents": intents,
            "p50_us": round(float(np.percentile(us, 50)), 2), "p99_us": round(float(np.percentile(us, 99)), 2),
            "max_us": round(float(us.max()), 2), "cpu_p50_us": round(float(np.percentile(cpu_us, 50)), 2),
            "cpu_p99_us": round(float(np.percentile(cpu_us, 99)), 2), "target_p99_us": 1000.0,
            "ssm": {"d_model": ssm.p.d_model, "d_state": ssm.p.d_state, "n_layers": ssm.p.n_layers,
                    "train_seconds_2_epochs": round(ssm_s, 2), "train_rows": int(len(fold.train))}}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv          # a smoke run: few events, a small model, no ensemble
    out = run(_arg(argv, "events", 200 if quick else 5000), _arg(argv, "iterations", 20 if quick else 500),
              "Ordered" if "--ordered" in argv else "Plain", ensemble="--no-ensemble" not in argv and not quick)
    if "--json" in argv:
        print(json.dumps(out))
    else:
        from engine.i18n import t
        print(t("bench.decision.header"))
        for k, v in out.items():
            if k != "ensemble":
                print(f"  {k}: {v}")
        if "ensemble" in out:
            print(t("bench.decision.ensemble"))
            for k, v in out["ensemble"].items():
                print(f"  {k}: {v}")
    return 0
