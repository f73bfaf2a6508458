"""The risk manager's per-bar shortcuts (switches run only on changed inputs, idle switches not called, held
trips handed back, the risk state built when written) store exactly what running every kill switch at
every evaluation stores: the rule baseline with the standard switches on real KRW-BTC candles."""
import json
import math
import sqlite3

import registry
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.risk.manager import RiskManager

DAYS = ["feed.start=2025-09-01T00:00:00Z", "feed.end=2025-09-04T00:00:00Z", "markets=[KRW-BTC]",
        "towers=[momentum_rule]", "entry=prob_threshold", "features=core_bar", "killswitches=standard", "ui.lang=en"]
TABLES = ("decisions", "orders", "fills", "positions", "equity", "trips")


def _cfg(tmp_path, data, name):
    registry.load_all()
    return job_config(compose(DAYS + [f"feed.path={data / 'upbit'}", f"store.path={tmp_path}/{name}.db",
                                      f"run.out_dir={tmp_path}"]))


def _stored(res) -> dict:
    path = res.loop.store.p.path
    st = registry.build("store", {"component": "sqlite", "path": path}, path="store")
    try:
        out = {t: [{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in st.records(t, res.run_id)]
               for t in TABLES}
    finally:
        st.close()
    with sqlite3.connect(path) as db:            # every risk-state write of the run, in order
        out["risk_state"] = [(name, kind, json.loads(sig)) for name, kind, sig in db.execute(
            "SELECT name, kind, signature FROM artifacts WHERE kind = 'risk_state' ORDER BY id")]
    return out


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_risk_shortcuts_store_what_running_every_switch_stores(tmp_path, monkeypatch, shared_data):
    fast = run_backtest(_cfg(tmp_path, shared_data, "fast"), write_report=False)
    rm = fast.loop.risk
    assert rm.reuse_verdicts and rm._defer is not None
    sleeping = {rm._plan.rows[at][0] for at in rm._plan.sleeping}
    assert {"spread_surge", "ticker_book_mismatch"} <= sleeping          # no spread, no book on candles
    # the reference: every switch at every evaluation, every trip rebuilt, the state dict built at each save
    real_init = RiskManager.__init__

    def every_switch(self, *a, **k):
        real_init(self, *a, **k)
        self.reuse_verdicts = False
        self._defer = None
    monkeypatch.setattr(RiskManager, "__init__", every_switch)
    ref = run_backtest(_cfg(tmp_path, shared_data, "ref"), write_report=False)
    assert not ref.loop.risk.reuse_verdicts and not ref.loop.risk._plan.sleeping
    a, b = _stored(fast), _stored(ref)
    for table in (*TABLES, "risk_state"):
        assert len(a[table]) == len(b[table]), table
        for ra, rb in zip(a[table], b[table]):
            assert _same(ra, rb), (table, ra, rb)
    switches = {r["switch"] for r in a["trips"]}
    assert {"volume_dryup", "random_walk_regime"} <= switches, switches    # level trips held and re-fired
    assert len(a["trips"]) > 50 and a["fills"] and len(a["risk_state"]) >= 1
    assert any(r["cleared_ms"] is not None for r in a["trips"])
    assert {k: v for k, v in fast.summary.items() if "wall" not in k} == \
           {k: v for k, v in ref.summary.items() if "wall" not in k}
