"""`scalp bench replay [--json] [--runs N] [--quick]`: events/s for load + merge + iterate (bundled data, Binance tick set)."""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

from engine.i18n import t

ROOT = Path(__file__).resolve().parents[2]


def datasets() -> list[tuple[str, Path]]:
    shared = Path(os.environ.get("SCALP_SHARED_DATA", ROOT.parent / "shared" / "data"))
    return [("bundled (examples/data)", ROOT / "examples" / "data"),
            ("binance_spot ticks", shared / "binance_spot")]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, " \
           f"Python {platform.python_version()}"


def run_once(path: Path) -> dict:
    """One full pass: load (parse + quality checks), merge across markets, build every event object."""
    from components.types.feed.merge import iter_merged, merged_index
    import registry
    Replay = registry.get("feed", "replay")
    feed = Replay(Replay.Params(path=str(path)))
    t0 = time.perf_counter()
    streams = feed.load()
    t1 = time.perf_counter()
    merged_index(streams)
    t2 = time.perf_counter()
    n = 0
    for _ in iter_merged(streams):      # includes its own merge: the path a backtest takes
        n += 1
    t3 = time.perf_counter()
    return {"events": n, "load_s": t1 - t0, "merge_s": t2 - t1, "iterate_s": t3 - t2,
            "total_s": (t1 - t0) + (t3 - t2)}


def bench(path: Path, runs: int) -> dict:
    res = [run_once(path) for _ in range(runs)]
    med = {k: statistics.median(r[k] for r in res) for k in ("load_s", "merge_s", "iterate_s", "total_s")}
    events = res[0]["events"]
    return {"events": events, "runs": runs, **{k: round(v, 4) for k, v in med.items()},
            "events_per_s": round(events / med["total_s"], 1) if med["total_s"] else None,
            "iterate_events_per_s": round(events / med["iterate_s"], 1) if med["iterate_s"] else None}


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    quick = "--quick" in argv          # a smoke run: the bundled data once, no matching figures
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else (1 if quick else 5)
    out = {"bench": "replay", "machine": machine(), "results": {}}
    for name, path in datasets()[:1] if quick else datasets():
        if not path.exists():
            out["results"][name] = {"skipped": f"{path} not found"}
            if not as_json:
                print(t("bench.replay.missing", name=name, path=path))
            continue
        r = bench(path, runs)
        out["results"][name] = {"path": str(path), **r}
        if not as_json:
            eps = f"{r['events_per_s']:,.0f}"
            print(t("bench.replay.row", name=name, events=r["events"], eps=eps, runs=runs))
    if "--no-matching" not in argv and not quick:       # replay + simulated matching, and bar replay (engine/bench/matching.py)
        from engine.bench.matching import measure
        out["matching"] = measure(runs)
    if "--backtest" in argv:               # wall time of the default main job, as a user runs it
        out["default_backtest"] = default_backtest_wall()
    if as_json:
        print(json.dumps(out, indent=1, default=float))
    else:
        if "matching" in out:
            print(json.dumps(out["matching"], indent=1, default=float))
        if "default_backtest" in out:
            print(t("bench.replay.backtest", wall_s=out["default_backtest"]["wall_s"]))
    return 0


def default_backtest_wall() -> dict:
    """Run `scalp backtest` (defaults, fresh process, output discarded) once and time it."""
    import subprocess
    import sys
    import tempfile
    import time
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "engine.cli", "backtest", f"store.path={tmp}/b.db",
                               f"hydra.run.dir={tmp}/run"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
    return {"wall_s": round(wall, 2), "exit": proc.returncode, "command": "scalp backtest"}
