"""`scalp bench features [--json] [--data DIR] [--quick]`: online update latency per event (µs) and batch throughput."""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

TARGET_P99_US = 20.0
ROOT = Path(__file__).resolve().parents[2]


def _data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("SCALP_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def _feature_set(name: str):
    from engine.app import compose, job_config
    from engine.features import FeatureSet
    return FeatureSet.from_config(job_config(compose([f"features={name}"])).features)


def _measure(set_name: str, data_label: str, stream, repeat: int = 2) -> dict:
    from components.types.events import KIND_NAMES
    fs = _feature_set(set_name)
    events = list(stream.events())
    fs.batch(stream)                               # compile / load numba caches outside the timings
    for ev in events[:2000]:
        fs.update(ev)
    lat = np.empty(len(events) * repeat)
    kinds = np.tile(np.asarray(stream.kind), repeat)
    clock = time.perf_counter_ns
    j = 0
    for _ in range(repeat):
        fs.reset()
        for ev in events:
            t0 = clock()
            fs.update(ev)
            lat[j] = clock() - t0
            j += 1
    lat /= 1000.0
    t0 = time.perf_counter()
    fs.batch(stream)
    batch_s = time.perf_counter() - t0
    per_kind = {KIND_NAMES[int(k)]: {"p50_us": float(np.percentile(lat[kinds == k], 50)),
                                     "p99_us": float(np.percentile(lat[kinds == k], 99)),
                                     "events": int((kinds == k).sum() // repeat)}
                for k in np.unique(kinds)}
    return {"set": set_name, "data": data_label, "features": len(fs.ids), "columns": len(fs.names),
            "events": len(events), "p50_us": float(np.percentile(lat, 50)),
            "p99_us": float(np.percentile(lat, 99)), "max_us": float(lat.max()),
            "mean_us": float(lat.mean()), "per_kind": per_kind, "batch_s": batch_s,
            "batch_events_per_s": len(events) / batch_s if batch_s > 0 else float("inf")}


def run(data: Path, quick_rows: int = 0) -> dict:
    import registry
    from components.types.feed.loaders import load_books, load_candles, load_trades
    from components.types.stream import MarketStream
    registry.load_all()
    tick = data / "binance_spot"
    ticks = MarketStream.build("BTCUSDT", trades=load_trades(tick / "trades_BTCUSDT.csv.gz", "BTCUSDT"),
                               books=load_books(tick / "orderbook_BTCUSDT.csv.gz", "BTCUSDT"))
    candles = MarketStream.build("KRW-BTC", candles=load_candles(data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz",
                                                                 "KRW-BTC"))
    if quick_rows:                 # a smoke run: the first rows of each file, one pass
        import numpy as np
        first = lambda b: b.take(np.arange(min(quick_rows, len(b))))  # noqa: E731
        ticks = MarketStream.build("BTCUSDT", trades=first(ticks.trades), books=first(ticks.books))
        candles = MarketStream.build("KRW-BTC", candles=first(candles.candles))
    repeat = 1 if quick_rows else 2
    results = [_measure("core20", "binance_spot/BTCUSDT ticks", ticks, repeat),
               _measure("micro", "binance_spot/BTCUSDT ticks", ticks, repeat),
               _measure("core_bar", "upbit/candles_1m/KRW-BTC", candles, repeat=1)]
    core20 = results[0]
    return {"bench": "features", "machine": {"platform": platform.platform(), "python": platform.python_version(),
                                             "cpus": os.cpu_count()},
            "command": "scalp bench features --json", "results": results,
            "target": {"set": "core20", "p99_us_max": TARGET_P99_US, "p99_us": core20["p99_us"],
                       "met": core20["p99_us"] <= TARGET_P99_US}}


def main(argv: list[str]) -> int:
    from engine.i18n import t
    ap = argparse.ArgumentParser(prog="scalp bench features")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--data", default=None, help="shared data directory (default $SCALP_SHARED_DATA or ../shared/data)")
    ap.add_argument("--quick", action="store_true", help="first 3,000 rows of each file, one pass (a smoke test)")
    args = ap.parse_args(argv)
    data = _data_dir(args.data)
    if not (data / "binance_spot").is_dir():
        print(t("features.bench.no_data", path=data))
        return 2
    out = run(data, 3000 if args.quick else 0)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(t("features.bench.header"))
    for r in out["results"]:
        print(t("features.bench.row", set=r["set"], data=r["data"], events=r["events"], p50_us=f"{r['p50_us']:.2f}",
                p99_us=f"{r['p99_us']:.2f}", batch_events_per_s=f"{r['batch_events_per_s']:,.0f}"))
    tg = out["target"]
    print(t("features.bench.target", target_us=tg["p99_us_max"], verdict="OK" if tg["met"] else "MISSED"))
    return 0
