"""`scalp bench ssm [--json] [--tower ssm|lstm] [--train-rows N] [--steps N] [--walkforward] [--quick]`: sequence-tower
training seconds per fold (CPU) and recurrent step latency p50/p99 (bundled bars, configured features and
label). `--walkforward` runs MODELS1's purged folds (all configured markets) with the sequence tower and
reports per fold: train seconds, AUC, ECE and drift (engine/drift.fold_drift)."""
from __future__ import annotations

import json
import time

import numpy as np

from engine.i18n import t


def step_latency_us(tower, rows: np.ndarray, market: str = "bench", warm_steps: int = 50) -> dict:
    """Per-call latency of `tower.step` over `rows` (after `warm_steps` unmeasured calls), microseconds.
    For `scalp bench decision`: call it on a fitted ssm/lstm tower with real feature rows."""
    ctx = {"market": market}
    for x in rows[:warm_steps]:
        tower.step(x, ctx)
    lat, cpu = np.empty(max(0, len(rows) - warm_steps)), np.empty(max(0, len(rows) - warm_steps))
    for i, x in enumerate(rows[warm_steps:]):
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        tower.step(x, ctx)
        lat[i], cpu[i] = (time.perf_counter_ns() - t0) / 1000, (time.thread_time_ns() - c0) / 1000
    # Wall-clock percentiles include preemption on a shared machine; CPU time is the step's own cost.
    return {"steps": int(lat.size), "p50_us": round(float(np.percentile(lat, 50)), 1),
            "p99_us": round(float(np.percentile(lat, 99)), 1), "mean_us": round(float(lat.mean()), 1),
            "max_us": round(float(lat.max()), 1), "cpu_p50_us": round(float(np.percentile(cpu, 50)), 1),
            "cpu_p99_us": round(float(np.percentile(cpu, 99)), 1)}


def bar_dataset(market: str = "KRW-BTC", overrides: list[str] | None = None):
    """(X, y, names, close, volume, ts_ms) at every closed bar of `market` with the configured features/label."""
    from engine.app import compose, job_config
    from engine.walkforward import build_dataset, feature_nodes, label_of, load_streams
    cfg = job_config(compose([f"markets=[{market}]", *(overrides or [])]))
    streams = load_streams(cfg)
    label_id, label, _ = label_of(cfg)
    ds = build_dataset(streams, feature_nodes(cfg), label, stride_bars=1)
    c = streams[market].candles
    at = np.searchsorted(c.ts_ms + c.interval_s * 1000, ds.ts_ms)     # the bar that closed at the decision
    return ds.X, ds.y, ds.names, c.close[at], c.volume[at], ds.ts_ms


def walkforward_folds(name: str, overrides: list[str] | None = None) -> list[dict]:
    """Per fold of `make_folds`: fit on train rows (markets kept apart, context heads on bar close/volume),
    run the sequence causally from the fold's training start so test rows have a warm state, score test."""
    import registry
    from engine import evaluation as ev
    from engine.app import compose, job_config
    from engine.drift import fold_drift
    from engine.walkforward import WalkForwardParams, build_dataset, feature_nodes, label_of, load_streams, make_folds
    cfg = job_config(compose(list(overrides or [])))
    streams = load_streams(cfg)
    _, label, _ = label_of(cfg)
    wf = WalkForwardParams()
    ds = build_dataset(streams, feature_nodes(cfg), label, wf.stride_bars)
    close, volume = np.full(len(ds.y), np.nan), np.full(len(ds.y), np.nan)
    for mi, m in enumerate(ds.markets):
        c, rows = streams[m].candles, np.flatnonzero(ds.market == mi)
        at = np.searchsorted(c.ts_ms + c.interval_s * 1000, ds.ts_ms[rows])
        close[rows], volume[rows] = c.close[at], c.volume[at]
    out = []
    for f in make_folds(ds, wf):
        tower = registry.build("tower", {"component": name, "seed": wf.seed}, path=f"towers.{name}")
        tr = f.train
        t0 = time.perf_counter()
        tower.fit(ds.X[tr], ds.y[tr], ds.names, close=close[tr], volume=volume[tr], groups=ds.market[tr])
        fit_s = time.perf_counter() - t0
        run = np.arange(tr[0], f.test[-1] + 1)
        p_run = tower.predict(ds.X[run], groups=ds.market[run])[:, 0]
        p = p_run[np.searchsorted(run, f.test)]
        y = ds.y[f.test]
        out.append({"fold": f.k, "train_rows": int(len(tr)), "test_rows": int(len(f.test)), "fit_s": round(fit_s, 2),
                    "positive_rate": round(float(np.mean(y)), 4), "auc": ev.auc(y, p), "ece": ev.ece(y, p, 10),
                    **fold_drift(ds.X[tr], ds.X[f.test], ds.names, p, y)})
    return out


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    name = argv[argv.index("--tower") + 1] if "--tower" in argv else "ssm"
    quick = "--quick" in argv          # a smoke run: a short training window and few steps
    train_rows = int(argv[argv.index("--train-rows") + 1]) if "--train-rows" in argv else (400 if quick else 3600)
    steps = int(argv[argv.index("--steps") + 1]) if "--steps" in argv else (100 if quick else 2000)
    import registry
    from engine.bench.replay import machine
    if "--walkforward" in argv:
        folds = walkforward_folds(name)
        if as_json:
            print(json.dumps({"tower": name, "machine": machine(), "folds": folds}, indent=1, default=float))
        else:
            for r in folds:
                shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items() if k != "drift_worst"}
                shown["drift_features_shifted"] = int(r["drift_features_shifted"])
                print(t("bench.seq.fold", tower=name, **shown))
        return 0
    X, y, names, close, volume, ts = bar_dataset()
    n = min(train_rows, len(y) - steps - 50)
    tower = registry.build("tower", {"component": name}, path=f"towers.{name}")
    t0 = time.perf_counter()
    tower.fit(X[:n], y[:n], names, close=close[:n], volume=volume[:n], span_ms=(int(ts[0]), int(ts[n - 1])))
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    tower.predict(X[n:])
    predict_s = time.perf_counter() - t1
    out = {"tower": name, "machine": machine(), "features": len(names), "train_rows": int(n),
           "epochs": tower.p.epochs, "windows_per_epoch": tower.train_log[0]["windows"],
           "fit_s": round(fit_s, 2), "predict_rows": int(len(y) - n), "predict_s": round(predict_s, 3),
           "step": step_latency_us(tower, X[n:n + steps + 50])}
    if as_json:
        print(json.dumps(out, indent=1))
    else:
        print(t("bench.seq.row", **{k: v for k, v in out.items() if k != "step"}, **out["step"]))
    return 0
