"""Peer engines (../shared/bench/peers) run next to ours in the same process window, when their venvs exist."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
from pathlib import Path
from typing import Callable

from engine.bench._workloads import ROOT, shared_data

# name -> (venv under SCALP_PEERS_VENVS, harness script, its arguments for the workload we compare with)
PEERS = {
    "hftbacktest": ("hftbacktest", "hftbacktest_bench.py", ["--mode", "elapse", "--clear", "full"]),
    "nautilus": ("nautilus", "nautilus_bench.py", ["--strategy", "quote", "--book", "deltas"]),
    "backtesting": ("backtesting", "candles_bench.py", ["--engine", "backtesting"]),
}


def peers_dir() -> Path:
    return Path(os.environ.get("SCALP_PEERS_DIR", ROOT.parent / "shared" / "bench" / "peers"))


def venvs_dir() -> Path:
    return Path(os.environ.get("SCALP_PEERS_VENVS", Path.home() / ".cache" / "scalp-peers"))


def command(name: str) -> tuple[list[str] | None, str]:
    """The peer's command line, or (None, why it cannot run here)."""
    venv, script, args = PEERS[name]
    py, harness = venvs_dir() / venv / "bin" / "python", peers_dir() / script
    if not py.exists():
        return None, f"not run: {py} not found (install per {peers_dir() / 'README.md'})"
    if not harness.exists():
        return None, f"not run: {harness} not found"
    return [str(py), str(harness), *args], ""


def run_peer(cmd: list[str], runs: int, warmup: int, timeout_s: float = 600.0) -> dict:
    """One peer process (its own load, warm-up and timed runs); its JSON line."""
    data = shared_data()
    env = dict(os.environ, PEERS_DATA=str(data / "binance_spot"),
               PEERS_CANDLES=str(data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz"))
    proc = subprocess.run([*cmd, "--runs", str(runs), "--warmup", str(warmup)], capture_output=True, text=True,
                          env=env, timeout=timeout_s)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[1]} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(name: str, ours: Callable[[], float], pairs: int, runs: int, warmup: int) -> dict | str:
    """Ours and the peer alternately, `pairs` times; the median of the per-pair ratios ours / peer.
    A peer that is not installed gives a "not run: ..." string, never a stored figure."""
    cmd, why = command(name)
    if cmd is None:
        return why
    mine, theirs = [], []
    for _ in range(max(1, pairs)):
        mine.append(ours())
        theirs.append(float(run_peer(cmd, runs, warmup)["events_per_s"]))
    ratios = [a / b for a, b in zip(mine, theirs)]
    return {"peer": name, "pairs": len(ratios), "ours_events_per_s": [round(x) for x in mine],
            "peer_events_per_s": [round(x) for x in theirs], "ratio_median": round(statistics.median(ratios), 4),
            "ratios": [round(r, 4) for r in ratios]}
