"""`scalp bench loop [--json]`: events/s of the engine loop WITH decisions (bar and tick data), default backtest wall."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loop_rate(overrides: list[str], streams=None) -> dict:
    """Events/s of run_backtest without a store or report (wall and CPU time)."""
    import registry
    from engine.app import compose, job_config
    from engine.backtest import run_backtest
    registry.load_all()
    cfg = job_config(compose(overrides))
    w0, c0 = time.perf_counter(), time.process_time()
    res = run_backtest(cfg, streams=streams, use_store=False, write_report=False)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    n = res.data.meta["events"]
    return {"events": n, "decisions": res.summary["decisions"], "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "events_per_s_wall": round(n / wall), "events_per_s_cpu": round(n / cpu)}


def _binance():
    from components.types.feed.loaders import load_books, load_trades
    from components.types.stream import MarketStream
    d = Path(os.environ.get("SCALP_SHARED_DATA", ROOT.parent / "shared" / "data")) / "binance_spot"
    if not d.is_dir():
        return None
    out = {}
    for sym, m in (("BTCUSDT", "KRW-BTC"), ("ETHUSDT", "KRW-ETH")):
        tr = dataclasses.replace(load_trades(d / f"trades_{sym}.csv.gz", sym), market=m)
        bk = dataclasses.replace(load_books(d / f"orderbook_{sym}.csv.gz", sym), market=m)
        out[m] = MarketStream.build(m, trades=tr, books=bk)
    return out


def _default_wall(tmp: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "engine.cli", "backtest", "ui.lang=en", f"store.path={tmp / 'b.db'}",
                    f"hydra.run.dir={tmp / 'run'}"], cwd=ROOT, check=True, capture_output=True)
    return round(time.perf_counter() - t0, 2)


def main(argv: list[str]) -> int:
    import tempfile
    out = {"bar (bundled 1m candles, 4 majors, core_bar, momentum_rule)": _loop_rate([])}
    streams = _binance()
    if streams is not None:
        out["tick (Binance trades+books, 2 markets, decisions every 1 s)"] = _loop_rate(
            ["features=[spread_pct,bid_ask_imbalance,ofi]", "towers=[random_entry]", "fill_model=queue_conservative",
             "initial_krw=100000", "markets=[KRW-BTC,KRW-ETH]"], streams)
    if "--no-default" not in argv:
        with tempfile.TemporaryDirectory() as tmp:
            out["default `scalp backtest` wall s (process start to exit)"] = _default_wall(Path(tmp))
    if "--json" in argv:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0
