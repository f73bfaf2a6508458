"""During a paper session on the local exchange server: /metrics (parsed as Prometheus text) and /health."""
import time

from prometheus_client.parser import text_string_to_metric_families

# every family the issue asks for (equity, PnL, positions/exposure, open orders, order counters, latency and
# round-trip histograms, feed lag, reconnects, Remaining-Req, kill switches, trading state, zombies, drift, gap)
WANTED = {"scalp_equity_krw": "gauge", "scalp_realized_pnl_krw": "gauge", "scalp_unrealized_pnl_krw": "gauge",
          "scalp_position_volume": "gauge", "scalp_exposure_krw": "gauge", "scalp_open_orders": "gauge",
          "scalp_orders": "counter", "scalp_fills": "counter", "scalp_cancels": "counter", "scalp_rejects": "counter",
          "scalp_decisions": "counter", "scalp_decision_latency_seconds": "histogram",
          "scalp_order_round_trip_seconds": "histogram", "scalp_feed_lag_seconds": "gauge",
          "scalp_feed_age_seconds": "gauge", "scalp_ws_reconnects": "gauge", "scalp_upbit_remaining_req": "gauge",
          "scalp_killswitch_tripped": "gauge", "scalp_trading_state": "gauge", "scalp_zombie_orders": "gauge",
          "scalp_balance_drift_pct": "gauge", "scalp_sim_real_gap_pct": "gauge"}


def families(text):
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(fam, **labels):
    return sum(s.value for s in fam.samples if all(s.labels.get(k) == v for k, v in labels.items())
               and not s.name.endswith(("_created",)))


def test_metrics_of_a_paper_session(session):
    s = session()
    s.wait_for(lambda: value(families(s.get("/metrics").text)["scalp_fills"]) >= 2, what="two fills")
    r = s.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    fam = families(r.text)
    missing = {n: t for n, t in WANTED.items() if n not in fam or fam[n].type != t}
    assert not missing, missing
    equity = value(fam["scalp_equity_krw"])
    assert 900_000 < equity < 1_100_000                       # the 1 M KRW paper account, marked to market
    assert value(fam["scalp_decisions"]) > 0 and value(fam["scalp_orders"]) >= 1
    lat = [x for x in fam["scalp_decision_latency_seconds"].samples if x.name.endswith("_count")]
    assert lat and lat[0].value > 0                             # decisions were timed
    rt = [x for x in fam["scalp_order_round_trip_seconds"].samples if x.name.endswith("_count")]
    assert rt and rt[0].value >= 1
    ages = {x.labels["market"]: x.value for x in fam["scalp_feed_age_seconds"].samples}
    assert ages and all(0 <= a < 60 for a in ages.values())
    switches = {x.labels["switch"] for x in fam["scalp_killswitch_tripped"].samples}
    assert switches == set(s.cfg.killswitches) and "sim_real_gap" in switches      # one per configured switch
    states = {x.labels["state"]: x.value for x in fam["scalp_trading_state"].samples}
    assert sum(states.values()) == 1 and set(states) == {"ACTIVE", "REDUCING", "HALTED"}
    assert value(fam["scalp_ws_reconnects"]) == 0
    res = s.stop()
    assert res.status == "done"
    fills = value(fam["scalp_fills"])
    assert fills <= len(res.loop.ledger.data.fills)              # counted from the same ledger, never more


def test_health_flips_to_503_when_the_feed_goes_stale(make_cfg, bundled_data, tmp_path):
    """Own exchange server, stopped mid-session: the feed goes silent and /health answers 503 (ready false,
    feed check failing) well before the runner's own stale stop (feed.stale_after_s)."""
    import threading

    from tests.engine.live.conftest import capture_server, shared_capture
    from tests.engine.monitor.conftest import Session
    srv = capture_server(shared_capture(bundled_data), [("mon-stale-a", "mon-stale-secret-0123456789abcdef0123")])
    try:
        cfg = make_cfg("paper", f"feed.url={srv.ws_url}", f"feed.rest_url={srv.base_url}", "feed.stale_after_s=20",
                       "monitor.stale_after_s=1.5")
        s = Session(cfg)
        s.wait_for(lambda: s.get("/health").status_code == 200, what="a healthy session")
        body = s.get("/health").json()
        assert body["live"] and body["ready"] and body["checks"]["feed"]["ok"] and body["mode"] == "paper"
        threading.Thread(target=srv.stop, daemon=True).start()
        t0 = time.monotonic()
        s.wait_for(lambda: s.get("/health").status_code == 503, timeout_s=15, what="503")
        body = s.get("/health").json()
        assert body["status"] == "unhealthy" and body["live"] and not body["ready"]
        assert not body["checks"]["feed"]["ok"] and body["checks"]["feed"]["age_s"] >= 1.5
        assert time.monotonic() - t0 < 15                          # long before feed.stale_after_s=20 stops it
    finally:
        s.stop_event.set()
        s.thread.join(60)
        srv.stop()


def test_live_session_exports_the_upbit_budget(session, monkeypatch):
    """Live against the local server: Remaining-Req as the REST client last read it, per group; health says
    the exchange is reachable."""
    from tests.engine.monitor.conftest import ACCOUNTS
    a, sec = ACCOUNTS["live"]
    monkeypatch.setenv("UPBIT_ACCESS_KEY", a)
    monkeypatch.setenv("UPBIT_SECRET_KEY", sec)
    s = session(mode="live")

    def budget():
        fam = families(s.get("/metrics").text)["scalp_upbit_remaining_req"]
        return {x.labels["group"]: x.value for x in fam.samples}
    s.wait_for(lambda: budget(), what="a Remaining-Req sample")
    left = budget()
    assert set(left) <= {"default", "order", "market", "candles", "ticker", "origin"} and \
        all(0 <= v <= 200 for v in left.values()), left
    s.wait_for(lambda: s.get("/health").status_code == 200, what="a healthy live session")
    body = s.get("/health").json()
    assert body["mode"] == "live" and body["checks"]["exchange"] == {**body["checks"]["exchange"], "ok": True,
                                                                      "kind": "upbit"}
    assert s.stop().status == "done"
