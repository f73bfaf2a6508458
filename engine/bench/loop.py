"""`scalp bench loop [--json] [--quick]`: the user's path through the real engine (run_backtest -> EngineLoop ->
order manager -> SimExchange): (a) the peers' quoting workload via quote_touch, (b) the rule baseline on KRW-BTC
1m with the store on, (c) the default `scalp backtest` wall time split into load / fit / replay / finish.
Protocol (../shared/bench/peers/README.md): load once, 1 warm-up + N timed runs, median; an installed peer runs
alternately with ours and the median of per-pair ratios is printed, otherwise "not run"."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.bench._workloads import ROOT, peers_quote_config, peers_streams, rule_config, shared_data

TARGETS = {"quote_events_per_s": 600_000, "rule_candles_per_s": 250_000, "default_wall_s": 30.0}
# (b)'s floors: the same candles with the store off, and a bare bot: one switch, one exit (a hard stop, so its one
# entry is held to the end: no closed trade)
BARE = ("killswitches=[daily_loss]", "exits=[hard_stop]")
# (c) small input for --quick: the bundled data, one market, 3 days, two folds, a 30-tree CatBoost
DEFAULT_QUICK = ["markets=[KRW-BTC]", "walkforward.folds=2", "feed.start=2025-09-24T00:00:00Z",
                 "towers.catboost.iterations=30"]


def _timed(run, runs: int, warmup: int) -> tuple[list[float], float, object]:
    """Wall times of the timed runs, the median CPU seconds (steadier on a shared machine), the last result."""
    times, cpu, last = [], [], None
    for i in range(warmup + runs):
        t0, c0 = time.perf_counter(), time.process_time()
        last = run()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if i >= warmup:
            times.append(dt)
            cpu.append(dc)
    return times, statistics.median(cpu), last


def bench_quote(runs: int, warmup: int) -> dict:
    """(a) quote_touch on the Binance BTC/ETH set through run_backtest (no store, no report)."""
    from engine.backtest import run_backtest
    t0 = time.perf_counter()
    streams = peers_streams()
    if streams is None:
        return {"skipped": f"{shared_data() / 'binance_spot'} not found"}
    load_s = time.perf_counter() - t0
    cfg = peers_quote_config()
    n = sum(len(s) for s in streams.values())
    times, cpu_s, res = _timed(lambda: run_backtest(cfg, streams=streams, use_store=False, write_report=False),
                               runs, warmup)
    med = statistics.median(times)
    c = res.loop.om.quote_counts
    return {"workload": "quote_touch 0.001 KRW-BTC every 1 s, KRW-ETH replayed, queue_conservative, 0 ms",
            "events": n, "load_s": round(load_s, 3), "run_s": [round(x, 4) for x in times],
            "run_s_median": round(med, 4), "events_per_s": round(n / med),
            "cpu_s_median": round(cpu_s, 4), "events_per_cpu_s": round(n / cpu_s), "timers": res.loop.quoter.ticks,
            "new": c["new"], "replace": c["replace"], "cancel": c["cancel"], "fills": c["filled"],
            "rejected": c["rejected"], "target_events_per_s": TARGETS["quote_events_per_s"]}


def bench_rule(runs: int, warmup: int, quick: bool) -> dict:
    """(b) momentum_rule + prob_threshold on KRW-BTC 1m, store on (a fresh SQLite file per run)."""
    from engine.backtest import load_replay, run_backtest
    tmp = Path(tempfile.mkdtemp(prefix="scalp-bench-"))
    cfg = rule_config(str(tmp / "first.db"), quick)
    t0 = time.perf_counter()
    streams, quality = load_replay(cfg)
    load_s = time.perf_counter() - t0
    n = sum(len(s) for s in streams.values())
    from omegaconf import OmegaConf
    cfgs = []
    for i in range(warmup + runs):      # composed before the timing: only the run itself is measured
        c = OmegaConf.create(OmegaConf.to_container(cfg, resolve=False))
        OmegaConf.update(c, "store.path", str(tmp / f"run{i}.db"))
        cfgs.append(c)
    it = iter(cfgs)

    def run():
        return run_backtest(next(it), streams=streams, use_store=True, write_report=False, quality=quality)
    try:
        times, cpu_s, res = _timed(run, runs, warmup)
        c = OmegaConf.create(OmegaConf.to_container(cfg, resolve=False))
        OmegaConf.update(c, "store.path", str(tmp / "split.db"))
        split = rule_split(lambda: run_backtest(c, streams=streams, use_store=True, write_report=False,
                                                quality=quality))
        floors = rule_floors(n, streams, quality, quick, runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    med = statistics.median(times)
    return {"workload": "towers=[momentum_rule] entry=prob_threshold features=core_bar killswitches=standard, "
                        "store on, KRW-BTC 1m", "candles": n, "load_s": round(load_s, 3),
            "run_s": [round(x, 4) for x in times], "run_s_median": round(med, 4), "candles_per_s": round(n / med),
            "cpu_s_median": round(cpu_s, 4), "candles_per_cpu_s": round(n / cpu_s),
            "trades": res.summary.get("trades"), "decisions": res.summary.get("decisions"),
            "split": split, "floors": floors, "target_candles_per_s": TARGETS["rule_candles_per_s"]}


def rule_floors(n: int, streams: dict, quality: object, quick: bool, runs: int) -> dict:
    """What the per-bar loop costs without the store: the rule baseline with the store off, and the bare loop (one
    kill switch, one exit, store off); candles/s as medians of `runs` runs after one warm-up."""
    from engine.backtest import run_backtest
    out = {}
    for key, extra in (("store_off", ()), ("bare_loop", BARE)):
        cfg = rule_config(":memory:", quick, extra=extra)
        times, _, res = _timed(lambda: run_backtest(cfg, streams=streams, use_store=False, write_report=False,
                                                    quality=quality), runs, 1)
        out[key] = {"candles_per_s": round(n / statistics.median(times)), "trades": res.summary.get("trades")}
    return out


def rule_split(run) -> dict:
    """One more run (not among the timed ones) with its steps timed by wrappers, the code unchanged:
    the batch pre-computation before the loop, the store's batched writes during the loop, the finish (summary,
    trials, last writes); `loop_s` is the rest of the run: the per-bar path."""
    from engine import backtest
    from engine.bench._phases import _wrap            # outer step counts (a flush inside finish is finish)
    from engine.loop.core import EngineLoop
    from engine.loop.recorder import Recorder
    totals = {"precompute_s": 0.0, "store_flush_s": 0.0, "finish_s": 0.0}
    patched = [(EngineLoop, "precompute", "precompute_s"), (Recorder, "flush", "store_flush_s"),
               (backtest, "finish", "finish_s")]
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patched]
    for obj, name, key in patched:
        setattr(obj, name, _wrap(totals, key, getattr(obj, name)))
    try:
        t0 = time.perf_counter()
        run()
        total = time.perf_counter() - t0
    finally:
        for obj, name, fn in saved:
            setattr(obj, name, fn)
    out = {k: round(v, 3) for k, v in totals.items()}
    out["loop_s"] = round(total - sum(totals.values()), 3)
    out["total_s"] = round(total, 3)
    return out


def bench_default(quick: bool) -> dict:
    """(c) `scalp backtest` with the defaults in a fresh process: wall time and its split."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "phases.json"
        extra = DEFAULT_QUICK if quick else []
        cmd = [sys.executable, "-m", "engine.bench._phases", str(out), "backtest", "ui.lang=en",
               f"store.path={tmp}/b.db", f"hydra.run.dir={tmp}/run", *extra]
        t0, c0 = time.perf_counter(), _children_cpu_s()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ))
        wall, cpu = time.perf_counter() - t0, _children_cpu_s() - c0
        split = json.loads(out.read_text()) if out.exists() else {}
    res = {"command": "scalp backtest" + ("".join(f" {x}" for x in extra)), "wall_s": round(wall, 2),
           "cpu_s": round(cpu, 2), "exit": proc.returncode, **split, "target_wall_s": TARGETS["default_wall_s"]}
    if proc.returncode != 0:
        res["stderr_tail"] = proc.stderr.strip()[-600:]
    return res


def _children_cpu_s() -> float:
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def with_peer(res: dict, peer: str, measure, pairs: int, runs: int, warmup: int) -> None:
    from engine.bench._peers import compare
    res.setdefault("peers", {})[peer] = compare(peer, measure, pairs, runs, warmup)


def measure(quick: bool, runs: int, warmup: int, pairs: int, only: set[str]) -> dict:
    out = {"machine": machine(), "quick": quick, "runs": runs, "warmup": warmup}
    if "quote" in only:
        out["quote"] = q = bench_quote(runs, warmup)
        if "events" in q:
            for peer in ("hftbacktest", "nautilus"):
                with_peer(q, peer, lambda: bench_quote(runs, warmup)["events_per_s"], pairs, runs, warmup)
    if "rule" in only:
        out["rule"] = r = bench_rule(runs, warmup, quick)
        with_peer(r, "backtesting", lambda: bench_rule(runs, warmup, quick)["candles_per_s"], pairs, runs, warmup)
    if "default" in only:
        out["default"] = bench_default(quick)
    out["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    return out


def machine() -> dict:
    from engine.bench.replay import machine as describe
    return {"cpu": describe(), "load_avg_start": [round(x, 2) for x in os.getloadavg()]}


def _print(out: dict) -> None:
    from engine.i18n import t
    print(t("bench.loop.header", cpu=out["machine"]["cpu"], runs=out["runs"], warmup=out["warmup"],
            load=out["machine"]["load_avg_start"]))
    q, r, d = out.get("quote"), out.get("rule"), out.get("default")
    if q and "events" in q:
        print(t("bench.loop.quote", rate=f"{q['events_per_s']:,}", target=f"{q['target_events_per_s']:,}",
                new=q["new"], replace=q["replace"], fills=q["fills"], events=q["events"]))
    elif q:
        print(t("bench.loop.skipped", what="quote", why=q["skipped"]))
    if r:
        print(t("bench.loop.rule", rate=f"{r['candles_per_s']:,}", target=f"{r['target_candles_per_s']:,}",
                candles=r["candles"], trades=r["trades"]))
        sp = r.get("split") or {}
        if sp:
            print(t("bench.loop.rule_split", pre=sp["precompute_s"], loop=sp["loop_s"], flush=sp["store_flush_s"],
                    finish=sp["finish_s"], total=sp["total_s"]))
        fl = r.get("floors") or {}
        if fl:
            print(t("bench.loop.rule_floors", off=f"{fl['store_off']['candles_per_s']:,}",
                    bare=f"{fl['bare_loop']['candles_per_s']:,}"))
    for part in (q, r):
        for peer, v in ((part or {}).get("peers") or {}).items():
            if isinstance(v, dict):
                print(t("bench.loop.peer", peer=peer, ratio=v["ratio_median"], pairs=v["pairs"]))
            else:
                print(t("bench.loop.peer_not_run", peer=peer, why=v))
    if d:
        print(t("bench.loop.default", wall=d["wall_s"], target=d["target_wall_s"], load=d.get("load_s", "-"),
                fit=d.get("fit_s", "-"), replay=d.get("replay_s", "-"), finish=d.get("finish_s", "-"),
                start=d.get("import_s", "-"), exit=d["exit"]))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="scalp bench loop")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="small inputs, 1 run, no warm-up (a smoke test)")
    ap.add_argument("--runs", type=int, default=None, help="timed runs (default 5; 1 with --quick)")
    ap.add_argument("--warmup", type=int, default=None, help="warm-up runs (default 1; 0 with --quick)")
    ap.add_argument("--pairs", type=int, default=5, help="ours/peer alternations when a peer is installed")
    ap.add_argument("--only", default="quote,rule,default", help="comma list of quote, rule, default")
    a = ap.parse_args(argv)
    runs = a.runs if a.runs is not None else (1 if a.quick else 5)
    warmup = a.warmup if a.warmup is not None else (0 if a.quick else 1)
    out = measure(a.quick, runs, warmup, 1 if a.quick else a.pairs, set(a.only.split(",")))
    if a.json:
        print(json.dumps(out, indent=1, default=float))
    else:
        _print(out)
    return 0
