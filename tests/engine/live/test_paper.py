"""Paper mode: live WebSocket events from the local server (real 2021 capture) -> EngineLoop -> SimExchange."""
import threading
import time

import pytest

import registry


def test_paper_session_stores_decisions_orders_and_fills(make_cfg, tmp_path, session_hook):
    from engine.live.runner import run_session
    cfg = make_cfg("paper")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "p.db")}, path="store")
    started = {}
    session_hook(on_start=lambda ctx: started.setdefault("s", time.monotonic()))
    res = run_session(cfg, "paper", store=store, duration_s=5)
    wall = time.monotonic() - started["s"]          # from the loop's start: the set-up before it is not the duration
    assert res.status == "done" and not res.error
    assert 5 <= wall < 12                                   # stopped by duration, shut down promptly
    assert res.events > 100                                 # live frames arrived over the WebSocket
    decisions = store.records("decisions", res.run_id)
    assert len(decisions) == res.summary["decisions"] > 0
    assert {"spread_pct", "bid_ask_imbalance"} <= set(decisions[0]["features"])
    assert all(r["scores"].keys() == {"random_entry"} for r in decisions)
    assert {r["market"] for r in decisions} <= {"KRW-DAWN", "KRW-STX", "KRW-ADA"}
    entries = [r for r in decisions if r["action"] == "enter"]
    fills = store.records("fills", res.run_id)
    orders = store.records("orders", res.run_id)
    assert entries and orders and fills                     # entries became simulated orders and fills
    assert all(o["identifier"].startswith("scalp-") for o in orders if o["identifier"])
    run = [r for r in store.runs() if r["id"] == res.run_id][0]
    assert run["mode"] == "paper" and run["status"] == "done"
    assert store.load_artifact(f"run-{res.run_id}")["signature"]["summary"]["decisions"] == len(decisions)
    store.close()


def test_paper_stops_on_stop_event_and_flushes(make_cfg, tmp_path, session_hook):
    """What SIGINT/SIGTERM do (the handler only sets this event, from another thread): once the session has
    decided, the stop ends it within 3 s, everything stored."""
    from engine.live.runner import run_session
    from engine.loop.core import NEVER
    cfg = make_cfg("paper")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "p.db")}, path="store")
    stop, decided, at = threading.Event(), threading.Event(), {}
    session_hook(on_tick=lambda ctx, now_s: any(v > NEVER for v in ctx.loop.last_decision_ms.values())
                 and decided.set())

    def signal_later():                  # the signal comes once the session has something to store
        if decided.wait(120):
            at["stop_s"] = time.monotonic()
        stop.set()
    threading.Thread(target=signal_later, daemon=True).start()
    res = run_session(cfg, "paper", store=store, stop=stop)
    assert "stop_s" in at, "the session made no decision within 120 s"
    assert time.monotonic() - at["stop_s"] < 3
    assert res.status == "done"
    assert len(store.records("decisions", res.run_id)) == res.summary["decisions"] > 0
    assert store.records("equity", res.run_id)               # final snapshot written at close
    store.close()


def test_paper_refuses_a_recorded_feed(make_cfg):
    from engine.live.runner import run_session
    cfg = make_cfg("paper", "feed=replay")
    with pytest.raises(registry.ConfigError) as e:
        run_session(cfg, "paper", store=None, duration_s=1)
    assert e.value.problems[0][0] == "feed" and "upbit_ws" in e.value.problems[0][1]
