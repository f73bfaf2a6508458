"""Alerts of a paper session against the local exchange server, delivered to a fake webhook and a fake Telegram
Bot API on 127.0.0.1: one message per channel for a kill-switch trip, session start/stop, a slow or failing
endpoint never slowing the engine loop, and neither secret in any log or output."""
import json
import logging
import sys
import threading
import time
import types

import registry

HOOK_TOKEN = "wh-s3cr3t-token-abcdef0123"
BOT_TOKEN = "987654:AAE-bot-s3cr3t-token-xyz"
TRIP = ["killswitches=[daily_loss]", "killswitches.daily_loss.loss_pct=0.001",   # the first fee trips it
        "alerts=[webhook,telegram]", "alerts.webhook.url_env=SCALP_TEST_ALERT_HOOK",
        "alerts.telegram.token_env=SCALP_TEST_ALERT_BOT", "alerts.telegram.chat_id_env=SCALP_TEST_ALERT_CHAT"]


def point(monkeypatch, hook_ep, bot_ep):
    monkeypatch.setenv("SCALP_TEST_ALERT_HOOK", f"{hook_ep.base_url}/api/webhooks/42/{HOOK_TOKEN}")
    monkeypatch.setenv("SCALP_TEST_ALERT_BOT", BOT_TOKEN)
    monkeypatch.setenv("SCALP_TEST_ALERT_CHAT", "-1001234")
    return [f"alerts.telegram.base_url={bot_ep.base_url}"]


def stop_after_trip(ep, stop, linger_s=1.0):
    """Stop the session `linger_s` after the first trip message reached `ep` (a second trip would show)."""
    def watch():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("daily_loss" in json.dumps(b) for b in ep.bodies()):
            time.sleep(0.05)
        time.sleep(linger_s)
        stop.set()
    threading.Thread(target=watch, daemon=True).start()


def test_a_trip_is_one_webhook_and_one_telegram_message(make_cfg, endpoint, tmp_path, monkeypatch, caplog,
                                                       capfd):
    from engine.live.runner import run_session
    caplog.set_level(logging.DEBUG)
    hook_ep, bot_ep = endpoint(), endpoint()
    cfg = make_cfg("paper", *TRIP, *point(monkeypatch, hook_ep, bot_ep), "logging.heartbeat_s=0.5",
                   "logging.stall_beats=20")     # the first events compile feature kernels (~3 s)
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "a.db")}, path="store")
    stop = threading.Event()
    stop_after_trip(hook_ep, stop)
    res = run_session(cfg, "paper", store=store, stop=stop, duration_s=40)
    assert res.status == "done" and not res.error
    hook = [b["content"] for b in hook_ep.bodies()]
    bot = [b["text"] for b in bot_ep.bodies(f"/bot{BOT_TOKEN}/sendMessage")]
    assert len(bot) == len(bot_ep.posts)                                  # every Telegram call was sendMessage
    trip_hook = [x for x in hook if "daily_loss" in x]
    trip_bot = [x for x in bot if "daily_loss" in x]
    assert len(trip_hook) == 1 and len(trip_bot) == 1
    assert trip_hook[0].startswith("[WARNING] kill switch daily_loss -> block_entries: daily loss ")
    assert "(limit 0.00%)" in trip_hook[0] and "switch=daily_loss action=block_entries" in trip_hook[0]
    assert trip_bot[0].startswith("[WARNING] kill switch daily_loss -> block_entries: daily loss ")
    assert "\nswitch: daily_loss\naction: block_entries" in trip_bot[0]
    assert hook == trip_hook                                              # webhook: warning and up only
    run_id = res.run_id
    assert bot[0] == f"[INFO] paper session started: run {run_id}, markets KRW-DAWN,KRW-STX,KRW-ADA"
    assert bot[-1].startswith(f"[INFO] paper session stopped (done): run {run_id}, {res.events} events")
    assert len(bot) == 3
    assert res.summary["trips_by_switch"] == {"daily_loss": 1}          # one trip, one message per channel
    beats = [json.loads(r.getMessage()) for r in caplog.records if r.name == "scalp.heartbeat"]
    assert len(beats) >= 2 and beats[-1]["event"] == "heartbeat" and beats[-1]["equity_krw"] > 0
    assert {"positions", "feed_idle_s", "feed_lag_ms", "state", "open_orders"} <= set(beats[-1])
    assert any(b["state"] == "REDUCING" for b in beats)                  # block_entries in force
    out, err = capfd.readouterr()
    for secret in (HOOK_TOKEN, BOT_TOKEN):
        assert secret not in caplog.text and secret not in out and secret not in err
    store.close()


SLOW_S = 5.0            # the slow endpoint's answer time


class _TickClock:
    """A session hook that records the longest gap between two engine ticks once a trip is in force (the alert
    deliveries run then; the first events of a process compile feature kernels, which is not what is measured)."""

    def __init__(self, ctx):
        self.last, self.max_gap_s, self.ticks = None, 0.0, 0

    def on_tick(self, ctx, now_s):
        if not ctx.loop.risk.trips:
            return
        if self.last is not None:
            self.max_gap_s = max(self.max_gap_s, now_s - self.last)
        self.last, self.ticks = now_s, self.ticks + 1


def test_a_slow_and_a_failing_endpoint_never_slow_the_loop(make_cfg, endpoint, tmp_path, monkeypatch, caplog):
    from engine.live import hooks as H
    from engine.live.runner import run_session
    caplog.set_level(logging.DEBUG)
    hook_ep = endpoint(delay_s=SLOW_S)                                   # every answer takes SLOW_S
    bot_ep = endpoint(script=[500] * 100)                                # every answer fails
    made = {}
    mod = types.ModuleType("_scalp_test_tick_clock")
    mod.clock = lambda ctx: made.setdefault("clock", _TickClock(ctx))
    monkeypatch.setitem(sys.modules, "_scalp_test_tick_clock", mod)
    monkeypatch.setattr(H, "HOOK_FACTORIES", (*H.HOOK_FACTORIES, "_scalp_test_tick_clock:clock"))
    cfg = make_cfg("paper", *TRIP, *point(monkeypatch, hook_ep, bot_ep), "alerts.webhook.min_level=info",
                   "alerting.backoff_s=0.05", "alerting.drain_s=0.5", "alerts.webhook.timeout_s=10")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    stop = threading.Event()
    stop_after_trip(hook_ep, stop, linger_s=3.0)
    t0 = time.monotonic()
    res = run_session(cfg, "paper", store=store, stop=stop, duration_s=40)
    wall = time.monotonic() - t0
    assert res.status == "done" and res.events > 100
    assert any("daily_loss" in b["content"] for b in hook_ep.bodies())   # the trip did go out, slowly
    # while the loop kept ticking: an engine thread that waited for a delivery would stall for the endpoint's
    # SLOW_S; shorter gaps are the machine's (a loaded one descheduled the thread for 1.7 s)
    assert made["clock"].ticks > 20 and made["clock"].max_gap_s < SLOW_S
    assert wall < 20                                                      # and the stop did not wait for them
    failed = [json.loads(r.getMessage()) for r in caplog.records if "alert_failed" in r.getMessage()]
    assert failed and all(f["channel"] == "telegram" and f["error"] == "HTTP 500" for f in failed)
    assert BOT_TOKEN not in caplog.text and HOOK_TOKEN not in caplog.text
    store.close()
