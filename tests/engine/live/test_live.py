"""Live mode against the local Upbit-compatible server: real REST orders, JWT keys from env, clean shutdown."""
import threading
import time

import pytest

import registry
from engine.live.settings import LiveSettings

FAST = LiveSettings(poll_interval_s=0.2, watchdog_interval_s=1.0, reconcile_interval_s=2.0, flush_interval_s=1.0)


def test_live_orders_reach_the_server_and_shutdown_leaves_none_open(make_cfg, keys, orders_on, server, tmp_path):
    from engine.live.runner import run_session
    access, _ = keys("live")
    # Limit entries at the best bid rest on the book, so there is something to see and to cancel at stop.
    cfg = make_cfg("live", "orders.entry_type=limit", "orders.ttl_ms=600000", "markets=[KRW-BAT,KRW-IQ,KRW-ANKR]")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "l.db")}, path="store")
    seen_open: set[str] = set()
    done = threading.Event()

    def watch():                      # the server's own view while the session runs
        while not done.is_set():
            seen_open.update(o.identifier for o in orders_on(access)[0])
            time.sleep(0.1)
    th = threading.Thread(target=watch, daemon=True)
    th.start()
    res = run_session(cfg, "live", store=store, duration_s=5, settings=FAST)
    done.set()
    th.join()
    assert res.status == "done" and not res.error, res.error
    open_now, closed = orders_on(access)
    assert open_now == [] and res.open_after_stop == []                 # nothing left working on the exchange
    ours = {o.identifier: o for o in closed}
    stored = [o for o in store.records("orders", res.run_id) if o["uuid"]]
    assert stored and {o["identifier"] for o in stored} <= set(ours)   # every stored order exists on the server
    assert seen_open and seen_open <= set(ours)                          # and was visibly resting there
    assert all(ours[o["identifier"]].uuid == o["uuid"] for o in stored)
    cancelled_at_stop = {o.identifier for o in res.cancelled_at_stop} | {
        o["identifier"] for o in stored if o["state"] == "cancel"}
    assert cancelled_at_stop, [(o["identifier"], o["state"], o.get("extra")) for o in stored]
    # Engine fills == the server's trades of our orders, one for one.
    fills = store.records("fills", res.run_id)
    server_trades = [(o.uuid, float(t["volume"])) for o in closed for t in o.trades]
    assert sorted((f["order_uuid"], round(f["volume"], 8)) for f in fills) == \
        sorted((u, round(v, 8)) for u, v in server_trades)
    run = [r for r in store.runs() if r["id"] == res.run_id][0]
    assert run["mode"] == "live" and run["status"] == "done"
    assert "live-live-secret" not in str(run["config"])                 # keys never land in the record
    store.close()


def test_live_market_orders_book_the_same_cash_as_the_server(make_cfg, keys, orders_on, server, tmp_path):
    """Market entries/exits: the engine's booked fills explain the server account's KRW change exactly."""
    from engine.live.runner import run_session
    access, _ = keys("market")
    acc = server.state.accounts[access]
    krw0 = server.call(lambda: sum(acc.ex.balance("KRW")))
    cfg = make_cfg("live")
    res = run_session(cfg, "live", store=None, duration_s=4, settings=FAST)
    assert res.status == "done"
    krw1 = server.call(lambda: sum(acc.ex.balance("KRW")))
    d = res.loop.ledger.data
    booked = sum((-1 if f["side"] == "bid" else 1) * f["price"] * f["volume"] - f["fee_krw"] for f in d.fills)
    assert d.fills, "no entries in 4 s of replay"
    assert krw1 - krw0 == pytest.approx(booked, abs=1e-3)
    assert res.reconcile["drift_pct"] == pytest.approx(0.0, abs=1e-9)   # holdings == booked positions
    assert orders_on(access)[0] == []
