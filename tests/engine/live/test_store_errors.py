"""A paper session whose store refuses writes keeps running; the failures are counted and trip store_errors."""
import sqlite3

import registry


def test_store_write_failures_trip_store_errors_instead_of_escaping(make_cfg, tmp_path):
    from engine.live.runner import run_session
    cfg = make_cfg("paper", "killswitches.store_errors.max_errors=1", "live.flush_interval_s=0.3")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "p.db")}, path="store")
    failed = []

    def broken(run_id, rows):
        failed.append(len(rows))
        raise sqlite3.OperationalError("database or disk is full")
    store.record_decisions = broken
    res = run_session(cfg, "paper", store=store, duration_s=4)
    assert not res.error and res.status == "done", res.error
    assert len(failed) >= 2                                   # every flush tried again, none raised
    with sqlite3.connect(tmp_path / "p.db") as db:     # live trips carry event time (the capture's 2021 stamps)
        trips = db.execute("SELECT action, until_ms - ts_ms, cleared_ms FROM trips WHERE switch='store_errors'").fetchall()
    assert trips == [("pause", 900_000, None)]
    assert store.records("decisions", res.run_id) == []       # nothing pretended to be written
    store.close()
