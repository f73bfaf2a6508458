"""`scalp backtest -m fill_model.order_latency_ms=0,50,200` on the bundled Upbit ticks: three jobs, latency shows."""
import subprocess
import sys
from pathlib import Path

import pytest

import registry

ROOT = Path(__file__).resolve().parents[2]
# The README's latency command (bundled 2021 Upbit tick captures: trades + 15-level books).
README_ARGS = ["feed.path=examples/data/upbit/ticks_2021", "markets=[KRW-DAWN,KRW-LAMB,KRW-STX]",
               "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]", "entry=prob_threshold",
               "towers.random_entry.entry_rate=0.5",
               "fill_model=queue_conservative", "exits.time_stop.after_s=10", "limits.cooldown_s=2", "killswitches=[]",
               "fill_model.order_latency_ms=0,50,200"]


@pytest.mark.slow
def test_latency_multirun_three_jobs_differ_as_latency_should(tmp_path):
    db = tmp_path / "s.db"
    out = subprocess.run([sys.executable, "-m", "engine.cli", "backtest", "-m", *README_ARGS, "ui.lang=en",
                          f"store.path={db}", f"hydra.sweep.dir={tmp_path / 'sweep'}"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("report: ") == 3
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    with store:
        runs = store.runs()
        assert len(runs) == 3
        by_lat, delays = {}, {}
        for r in runs:
            lat = r["config"]["fill_model"]["order_latency_ms"]
            art = store.load_artifact(f"run-{r['id']}")["signature"]
            by_lat[lat] = art["summary"]
            orders = {o["uuid"]: o for o in store.records("orders", r["id"]) if o["uuid"]}
            fills = store.records("fills", r["id"])
            # delay from the decision that sent the order to its first fill
            first = {}
            for f in fills:
                first.setdefault(f["order_uuid"], f["ts_ms"])
            delays[lat] = [first[u] - o["extra"]["sent_ms"] for u, o in orders.items() if u in first]
    assert sorted(by_lat) == [0, 50, 200]
    for lat, ds in delays.items():
        assert ds and min(ds) >= lat                       # nothing fills before the order could arrive
    keys = ("net_krw", "fees_krw", "fills")
    sig = {lat: tuple(round(s[k], 6) for k in keys) for lat, s in by_lat.items()}
    assert len(set(sig.values())) == 3, sig                # three different outcomes
