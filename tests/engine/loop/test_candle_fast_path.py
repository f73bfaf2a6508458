"""The candle backtest's fast path (precomputed rows, column-built events, tuple-buffered store writes, kill
switches re-run only on changed inputs) stores exactly what the event-by-event path stores, on real candles."""
import dataclasses
import math

import pytest

import registry
from components.store.base import Store
from components.types.feed.merge import iter_merged
from engine.app import compose, job_config
from engine.backtest import load_replay, run_backtest
from engine.loop.candles import candle_events
from engine.outcomes import OutcomeTracker
from engine.risk.manager import RiskManager
from tests.compare import rows_of

DAYS = ["feed.start=2025-09-20T00:00:00Z", "feed.end=2025-09-23T00:00:00Z", "markets=[KRW-BTC,KRW-XRP]",
        "towers=[momentum_rule]", "entry=prob_threshold", "features=core_bar", "killswitches=standard", "ui.lang=en"]
TABLES = ("decisions", "orders", "fills", "positions", "equity", "trips")


def _cfg(tmp_path, name):
    registry.load_all()
    return job_config(compose(DAYS + [f"store.path={tmp_path}/{name}.db", f"run.out_dir={tmp_path}"]))


def _stored(res) -> dict:
    out = {}
    for table in TABLES:
        rows = _records(res, table)
        out[table] = [{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in rows]
    return out


def _records(res, table):
    """The run's stored rows, read back through a fresh store (the run closed its own)."""
    st = registry.build("store", {"component": "sqlite", "path": res.loop.store.p.path}, path="store")
    try:
        return st.records(table, res.run_id)
    finally:
        st.close()


def _raw_decisions(res) -> list[tuple]:
    """The decision rows' columns as SQLite holds them (the JSON columns' text, byte for byte)."""
    import sqlite3
    con = sqlite3.connect(res.loop.store.p.path)
    try:
        return con.execute("SELECT ts_ms, market, action, score, features, scores, reasons FROM decisions "
                           "WHERE run_id = ? ORDER BY id", (res.run_id,)).fetchall()
    finally:
        con.close()


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_fast_path_stores_what_the_event_by_event_path_stores(tmp_path, monkeypatch):
    fast = run_backtest(_cfg(tmp_path, "fast"), write_report=False)
    assert fast.loop.md.rows and fast.loop.pipeline.batch and fast.loop.pipeline.fused   # features, scores, P(up)
    assert all(st.bars is not None and st.bar_i == len(st.bars[1]) - 1    # and the exchange's bar spreads
               for st in fast.loop.ex._mkt.values())
    # the slow path: online features, iter_merged events, dict rows through record_decisions/record_equity,
    # and every kill switch run at every evaluation (no verdict reuse)
    monkeypatch.setattr(Store, "record_tuples", None)
    monkeypatch.setattr(Store, "record_decision_block", None)
    real_init = RiskManager.__init__

    def every_switch(self, *a, **k):
        real_init(self, *a, **k)
        self.reuse_verdicts = False
    monkeypatch.setattr(RiskManager, "__init__", every_switch)
    slow = run_backtest(_cfg(tmp_path, "slow"), write_report=False, batch=False)
    assert not slow.loop.md.rows and not slow.loop.risk.reuse_verdicts
    assert all(st.bars is None for st in slow.loop.ex._mkt.values())
    a, b = _stored(fast), _stored(slow)
    for table in TABLES:
        assert len(a[table]) == len(b[table]), table
        for ra, rb in zip(a[table], b[table]):
            assert _same(ra, rb), (table, ra, rb)
    assert len(a["decisions"]) > 4000 and len(a["equity"]) > 4000
    # the fast path stores its decisions as column blocks (revision 0006), the slow path as rows; the text
    # path's bytes are compared in test_decision_blocks_real.py
    assert _raw_decisions(fast) == [] and len(_raw_decisions(slow)) == len(a["decisions"])
    assert a["fills"] and a["trips"] and {r["action"] for r in a["decisions"]} >= {"enter", "hold"}
    assert fast.data.trades == slow.data.trades and fast.data.trades
    assert fast.data.equity == slow.data.equity
    assert {k: v for k, v in fast.summary.items() if "wall" not in k} == \
           {k: v for k, v in slow.summary.items() if "wall" not in k}


def test_candle_events_equal_the_merged_events(tmp_path):
    streams, _ = load_replay(_cfg(tmp_path, "ev"))
    fast, slow = list(candle_events(streams)), list(iter_merged(streams, 0.0))
    assert len(fast) == len(slow) == sum(len(s) for s in streams.values()) > 1000
    assert all(_same(list(dataclasses.astuple(x)), list(dataclasses.astuple(y))) for x, y in zip(fast, slow))
    assert {type(e.ts_ms) for e in fast} == {int} and {type(e.close) for e in fast} == {float}


def test_record_tuples_stores_the_rows_of_the_dict_writers(tmp_path):
    registry.load_all()
    st = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "t.db")}, path="store")
    a, b = st.start_run("a", {}), st.start_run("b", {})
    dec = [(60_000 * i, "KRW-BTC", "hold" if i % 3 else "enter", None if i == 4 else 0.5 + i / 100,
            {"x": float(i), "nan": math.nan, "_mark_price": 1.5e8}, {"momentum_rule": 0.25 * i},
            ["entry.below_threshold", f"size_krw: {i}"]) for i in range(12)]
    fields = ("ts_ms", "market", "action", "score", "features", "scores", "reasons")
    assert st.record_tuples("decisions", a, fields, dec) == 12
    st.record_decisions(b, [dict(zip(fields, r)) for r in dec])
    eq = [(i, 1e6 - i, 5e5, 5e5 - i) for i in range(7)]
    efields = ("ts_ms", "equity_krw", "cash_krw", "position_krw")
    st.record_tuples("equity", a, efields, eq)
    st.record_equity(b, [dict(zip(efields, r)) for r in eq])
    for table in ("decisions", "equity"):
        ra, rb = rows_of(st, table, a), rows_of(st, table, b)
        assert ra and _same(ra, rb)
    with pytest.raises(Exception):       # a column left out takes the dict path, which refuses it as before
        st.record_tuples("equity", a, ("ts_ms",), [(1,)])
    st.close()


def test_calibration_bins_built_late_publish_the_running_value():
    from components.types.metrics import Metrics
    live, late = OutcomeTracker(60_000, window=50), OutcomeTracker(60_000, window=50)
    late.track_bins = False
    for i in range(130):                       # more than two windows: evictions and re-sums on the live one
        p, y = (i * 37 % 100) / 100.0, float(i % 3 == 0)
        live._add_pair(p, y)
        late._add_pair(p, y)
    ma, mb = Metrics(), Metrics()
    live.publish(ma)
    late.publish(mb)
    assert late.track_bins and list(late.pairs) == list(live.pairs)
    assert mb.get("calibration_samples") == ma.get("calibration_samples") == 50
    assert mb.get("calibration_ece") == pytest.approx(ma.get("calibration_ece"), abs=1e-12)
