"""`scalp runs list|show|prune` and `scalp store backup`: runs go with their rows and report folders, market
data, running runs, positions a restart needs, trips in force and trials stay; a backup opens as the same store."""
import json
import time

import pytest
from sqlalchemy import text

import registry
from components.store.models import TradeRow
from engine.commands import runs as runs_cmd
from engine.commands import store as store_cmd

DAY_MS = 86_400_000


def _count(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _fill(ts, side, volume, uuid):
    return {"ts_ms": ts, "market": "KRW-BTC", "order_uuid": uuid, "side": side, "price": 100.0, "volume": volume,
            "fee_krw": 0.05}


def populate(store, out_dir, now_ms):
    """Market data, two old backtests (one with a report folder), an old paper run, live runs (flat, then
    holding, then recent), a running paper run and a new backtest."""
    store._insert(TradeRow.__table__, [{"market": "KRW-BTC", "ts_ms": i, "seq": i, "price": 1.0, "volume": 1.0,
                                        "side": 1} for i in range(50)])
    ids = {}
    old = now_ms - 40 * DAY_MS
    for name in ("bt1", "bt2"):
        rid = ids[name] = store.start_run(name, {}, mode="backtest", started_ms=old)
        store.record_decisions(rid, [{"ts_ms": 1, "market": "KRW-BTC", "action": "enter"}] * 3)
        store.record_orders(rid, [{"ts_ms": 1, "market": "KRW-BTC", "side": "bid", "ord_type": "price"}])
        store.record_fills(rid, [_fill(1, "bid", 1.0, f"u{rid}")])
        store.record_positions(rid, [{"ts_ms": 1, "market": "KRW-BTC", "volume": 1.0}])
        store.record_equity(rid, [{"ts_ms": 1, "equity_krw": 1e6}])
        store.record_order_events(rid, [{"ts_ms": 1, "wall_ms": 1, "event": "sent", "market": "KRW-BTC",
                                         "side": "bid"}])
        store.record_trial(kind="backtest", config_hash="h", span_start_ms=0, span_end_ms=1, period_ms=1, n_obs=1,
                           trades=1, returns=[0.0], run_id=rid)
        store.finish_run(rid, "done", finished_ms=old + 1000)
    report = out_dir / "2026-01-01" / "00-00-00"
    report.mkdir(parents=True)
    (report / "report.html").write_text("<html></html>")
    store.save_artifact(f"run-{ids['bt1']}", "run_summary", {"summary": {"trades": 1},
                                                               "meta": {"report": str(report / "report.html")}},
                        run_id=ids["bt1"])
    store.record_trip(ids["bt1"], "max_drawdown", "halt", "latched", ts_ms=1)                 # in force: stays
    cleared = store.record_trip(ids["bt1"], "daily_loss", "block_entries", "old", ts_ms=1)
    store.clear_trip(cleared, 2)
    rid = ids["paper_old"] = store.start_run("p0", {}, mode="paper", started_ms=old)
    store.record_fills(rid, [_fill(5, "bid", 3.0, "p")])                 # paper: the next session starts afresh
    store.finish_run(rid, "done", finished_ms=old + 1000)
    rid = ids["live_flat"] = store.start_run("l1", {}, mode="live", started_ms=old)
    store.record_fills(rid, [_fill(10, "bid", 1.0, "a"), _fill(11, "ask", 1.0, "b")])
    store.finish_run(rid, "done", finished_ms=old + 1000)
    rid = ids["live_holding"] = store.start_run("l2", {}, mode="live", started_ms=old)
    store.record_fills(rid, [_fill(20, "bid", 2.0, "c")])                                   # a restart needs it
    store.finish_run(rid, "done", finished_ms=old + 1000)
    ids["running"] = store.start_run("p3", {}, mode="paper", started_ms=old)
    ids["new"] = store.start_run("bt3", {}, mode="backtest", started_ms=now_ms)
    store.finish_run(ids["new"], "done", finished_ms=now_ms + 10)
    return ids, report


@pytest.fixture
def filled(tmp_path):
    registry.load_all()
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    ids, report = populate(store, tmp_path / "out", int(time.time() * 1000))
    yield store, ids, report, [f"store.path={tmp_path / 's.db'}", f"run.out_dir={tmp_path / 'out'}", "ui.lang=en"]
    store.close()


def test_prune_deletes_old_runs_with_their_rows_and_report_folder_and_keeps_what_matters(filled, capsys):
    store, ids, report, ov = filled
    before = {t: _count(store, f"SELECT count(*) FROM {t}") for t in ("trades", "fills", "decisions")}
    assert runs_cmd.main(["prune", "--older-than", "30d", "--dry-run", *ov]) == 0
    out = capsys.readouterr().out
    assert f"would delete run {ids['bt1']}" in out and str(report) in out and "nothing changed" in out
    assert len(store.runs()) == 7 and report.is_dir()                                       # a dry run changes nothing
    assert runs_cmd.main(["prune", "--older-than", "30d", *ov]) == 0
    out = capsys.readouterr().out
    left = {r["id"] for r in store.runs()}
    assert left == {ids["live_holding"], ids["running"], ids["new"]}, out
    assert f"keep    run {ids['running']} (paper): running" in out
    assert f"keep    run {ids['live_holding']} (live): positions:KRW-BTC" in out
    assert not report.exists() and report.parent.parent.is_dir()                           # only the run's folder
    assert _count(store, "SELECT count(*) FROM trades") == before["trades"]                 # market data untouched
    assert _count(store, "SELECT count(*) FROM decisions") == 0
    assert _count(store, "SELECT count(*) FROM fills") == 1                                 # the held position's
    assert _count(store, "SELECT count(*) FROM order_events") == 0
    assert _count(store, "SELECT count(*) FROM trips WHERE run_id IS NULL AND switch = 'max_drawdown'") == 1
    assert _count(store, "SELECT count(*) FROM trips") == 1                                 # the cleared one went
    assert _count(store, "SELECT count(*) FROM trials WHERE run_id IS NULL") == 2           # the DSR still counts them
    assert _count(store, "SELECT count(*) FROM artifacts") == 0


def test_keep_n_and_list_and_show(filled, capsys):
    store, ids, _, ov = filled
    assert runs_cmd.main(["list", "--json", *ov]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == sorted(ids.values())
    bt1 = next(r for r in listed if r["id"] == ids["bt1"])
    assert bt1["rows"] == 3 + 1 + 1 + 1 + 1 + 1 and bt1["fills"] == 1 and bt1["duration_s"] == 1.0
    assert runs_cmd.main(["show", str(ids["bt1"]), "--json", *ov]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["rows"]["decisions"] == 3 and shown["summary"] == {"trades": 1} and len(shown["report_dirs"]) == 1
    assert runs_cmd.main(["prune", "--keep", "2", *ov]) == 0
    capsys.readouterr()
    assert {r["id"] for r in store.runs()} == {ids["live_holding"], ids["running"], ids["new"]}
    assert runs_cmd.main(["show", "999", *ov]) == 2
    assert runs_cmd.main(["prune", *ov]) == 2 and "--keep" in capsys.readouterr().err
    assert runs_cmd.main(["remove", *ov]) == 2


def test_a_recent_live_run_stays_until_the_exchange_forgets_its_orders(tmp_path):
    from engine.control.runs import plan_prune
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "l.db")}, path="store")
    now = int(time.time() * 1000)
    rid = store.start_run("l", {}, mode="live", started_ms=now - 3 * DAY_MS)
    store.record_fills(rid, [_fill(1, "bid", 1.0, "a"), _fill(2, "ask", 1.0, "b")])        # flat
    store.finish_run(rid, "done", finished_ms=now - 3 * DAY_MS + 1000)
    plan = plan_prune(store, older_than_s=DAY_MS / 1000, now_ms=now)
    assert plan.delete == [] and [(r["id"], why) for r, why in plan.kept] == [(rid, "recent_live")]
    assert [r["id"] for r in plan_prune(store, older_than_s=0, now_ms=now + 8 * DAY_MS).delete] == [rid]
    store.close()


def test_backup_opens_as_the_same_store_while_it_is_in_use(filled, tmp_path, capsys):
    import threading
    store, ids, _, ov = filled
    dest = tmp_path / "bk" / "copy.db"
    stop, written = threading.Event(), []

    def writer():                                   # a session writing meanwhile (its own connection)
        while not stop.is_set():
            store.record_decisions(ids["running"], [{"ts_ms": 2, "market": "KRW-BTC", "action": "hold"}] * 50)
            written.append(50)
    th = threading.Thread(target=writer)
    th.start()
    try:
        time.sleep(0.2)
        assert store_cmd.main(["backup", str(dest), *ov]) == 0
    finally:
        stop.set()
        th.join()
    assert str(dest) in capsys.readouterr().out and written
    copy = registry.build("store", {"component": "sqlite", "path": str(dest)}, path="store")
    try:
        assert _count(copy, "PRAGMA integrity_check") == "ok"
        assert copy.runs() == store.runs()
        for t in ("trades", "fills", "trips", "trials", "artifacts", "order_events"):
            assert _count(copy, f"SELECT count(*) FROM {t}") == _count(store, f"SELECT count(*) FROM {t}") > 0, t
        n = _count(copy, f"SELECT count(*) FROM decisions WHERE run_id = {ids['running']}")
        assert n % 50 == 0 and 0 <= n <= sum(written)          # whole transactions only: a consistent copy
        assert copy.revision() == store.revision()
    finally:
        copy.close()
    assert store_cmd.main(["backup", str(dest), *ov]) == 2                      # never overwrites
    assert "exists" in capsys.readouterr().err


def test_a_report_folder_another_run_still_uses_stays(tmp_path, capsys):
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "f.db")}, path="store")
    shared = tmp_path / "out" / "bt"                       # hydra.run.dir=outputs/bt for every backtest
    shared.mkdir(parents=True)
    for _ in range(2):
        rid = store.start_run("bt", {}, mode="backtest")
        store.save_artifact(f"run-{rid}", "run_summary", {"meta": {"report": str(shared / "report.html")}},
                            run_id=rid)
        store.finish_run(rid, "done")
    ov = [f"store.path={tmp_path / 'f.db'}", f"run.out_dir={tmp_path / 'out'}", "ui.lang=en"]
    assert runs_cmd.main(["prune", "--keep", "1", *ov]) == 0
    assert len(store.runs()) == 1 and shared.is_dir() and "0 report folder(s)" in capsys.readouterr().out
    assert runs_cmd.main(["prune", "--keep", "0", *ov]) == 0
    assert store.runs() == [] and not shared.exists()
    store.close()


def test_vacuum_gives_the_space_back_unless_a_session_runs(tmp_path, capsys):
    db = tmp_path / "v.db"
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    ov = [f"store.path={db}", f"run.out_dir={tmp_path / 'out'}", "ui.lang=en"]
    rows = [{"ts_ms": i, "market": "KRW-BTC", "action": "hold", "features": {"f": float(i)}} for i in range(20_000)]
    for _ in range(2):
        store.finish_run(rid := store.start_run("bt", {}, mode="backtest"), "done")
        store.record_decisions(rid, rows)
    running = store.start_run("p", {}, mode="paper")
    assert runs_cmd.main(["prune", "--keep", "1", "--vacuum", *ov]) == 0
    assert "--vacuum skipped" in capsys.readouterr().err
    store.finish_run(running, "done")
    def size():
        return sum(p.stat().st_size for p in (db, tmp_path / "v.db-wal") if p.exists())
    before = size()
    assert runs_cmd.main(["prune", "--keep", "0", "--vacuum", *ov]) == 0
    assert "VACUUM: file" in capsys.readouterr().out
    assert store.runs() == [] and size() < before / 2
    store.close()
