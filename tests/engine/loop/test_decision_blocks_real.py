"""The rule baseline on real KRW-BTC 1m candles: decisions stored as column blocks read back dict for dict,
float for float, as the row path stores them, and the report rebuilt from either store is the same."""
import re
import sqlite3

import pytest

import registry
from components.store.base import Store
from engine.bench._workloads import RULE_BASELINE, compose_job, shared_data
from engine.backtest import run_backtest
from engine.report import rebuild
from tests.compare import same_bits as same

DAYS = ["feed.end=2025-09-04T00:00:00Z"]          # 3 days from the baseline's start


def _count(path, sql, *args):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    if not (shared_data() / "upbit").is_dir():
        pytest.skip("shared data not present")
    tmp = tmp_path_factory.mktemp("blocks")
    db = str(tmp / "s.db")
    registry.load_all()
    store = registry.build("store", {"component": "sqlite", "path": db}, path="store")
    cfg = compose_job(RULE_BASELINE + DAYS + [f"feed.path={shared_data() / 'upbit'}", f"store.path={db}",
                                              f"run.out_dir={tmp}"])
    blocks = run_backtest(cfg, store=store, write_report=False)
    mp = pytest.MonkeyPatch()
    mp.setattr(Store, "record_decision_block", None)      # the recorder falls back to the row table ...
    try:
        rows = run_backtest(cfg, store=store, write_report=False)
        mp.setattr(Store, "record_tuples", None)           # ... and (here) to the dict rows of record_decisions
        dicts = run_backtest(cfg, store=store, write_report=False)
    finally:
        mp.undo()
    yield tmp, db, store, blocks, rows, dicts
    store.close()


def test_block_run_reads_back_as_the_row_run(runs):
    _, db, store, blocks, rows, dicts = runs
    n_block_rows = _count(db, "SELECT sum(n_rows) FROM decision_blocks WHERE run_id = ?", blocks.run_id)
    assert _count(db, "SELECT count(*) FROM decisions WHERE run_id = ?", blocks.run_id) == 0
    assert _count(db, "SELECT count(*) FROM decision_blocks WHERE run_id = ?", rows.run_id) == 0
    a, b = store.records("decisions", blocks.run_id), store.records("decisions", rows.run_id)
    assert len(a) == len(b) == n_block_rows == blocks.summary["decisions"] > 4000
    assert _count(db, "SELECT count(*) FROM decision_blocks WHERE run_id = ?", blocks.run_id) >= 1
    strip = (lambda r: {k: v for k, v in r.items() if k not in ("id", "run_id")})
    for ra, rb in zip(a, b):
        assert same(strip(ra), strip(rb)), (ra, rb)
    assert list(a[0]) == list(b[0]) and {r["run_id"] for r in a} == {blocks.run_id}
    assert {r["action"] for r in a} >= {"enter", "hold"} and any(r["score"] is None for r in a) is \
        any(r["score"] is None for r in b)
    assert all("_mark_price" in r["features"] and len(r["features"]) > 10 for r in a)
    # the row fallback writes the JSON columns' text column by column: the very bytes json_dumps writes per row
    raw = "SELECT ts_ms, market, action, score, features, scores, reasons FROM decisions WHERE run_id = ? ORDER BY id"
    con = sqlite3.connect(db)
    try:
        assert con.execute(raw, (rows.run_id,)).fetchall() == con.execute(raw, (dicts.run_id,)).fetchall()
    finally:
        con.close()
    assert {type(v) for r in a for v in r["features"].values()} == {float}


def test_summary_and_rebuilt_report_are_the_same(runs):
    tmp, _, store, blocks, rows, _ = runs
    assert {k: v for k, v in blocks.summary.items() if "wall" not in k} == \
           {k: v for k, v in rows.summary.items() if "wall" not in k}
    pa, sa = rebuild(store, blocks.run_id, tmp / "a.html")
    pb, sb = rebuild(store, rows.run_id, tmp / "b.html")
    assert sa == sb and sa["decisions"] == blocks.summary["decisions"]
    assert _page(pa, blocks.run_id) == _page(pb, rows.run_id)


def _page(path, run_id) -> str:
    """The report's text without what differs between two runs of one config: the run id and the wall time."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"wall_s: <code>[0-9.e+-]+</code>", "wall_s", text)
    text = re.sub(r" · [0-9.]+ s · ", " · ", text)
    text = text.replace(f"run_id: <code>{run_id}</code>", "run_id").replace(f"run {run_id} ", "run ")
    assert text.count("wall_s") == 1 and text.count("run_id") >= 1
    return text
