"""The risk manager's kill-switch trips and clears go through the dispatcher when a session routes them (never a
synchronous send on the engine thread); without a route (backtests) the channels are called as before."""
import time
from types import SimpleNamespace

import pytest

import registry
from components.types.metrics import Metrics
from engine.alerts.hook import AlertHook
from engine.risk import RiskManager
from engine.settings import AlertSettings, Limits

T0 = 1_756_684_800_000          # 2025-09-01 00:00 UTC
SW = {"exposure_leverage": {"component": "exposure_leverage", "max_ratio": 1.5, "action": "block_entries"},
      "daily_loss": {"component": "daily_loss", "loss_pct": 5, "seconds": 60}}


pytestmark = pytest.mark.usefixtures("english")     # conftest: English messages


def test_trips_and_clears_are_queued_not_sent_on_the_engine_thread(endpoint, monkeypatch, tmp_path):
    ep = endpoint(delay_s=0.3)                                   # a slow webhook
    monkeypatch.setenv("SCALP_TEST_RISK_HOOK", f"{ep.base_url}/hook/route-s3cr3t")
    sync_file = tmp_path / "sync.jsonl"
    rm = RiskManager(switches=SW, limits=Limits(), markets=["KRW-BTC"],
                     alerts={"log": {"component": "log", "path": str(sync_file)}})
    hook = AlertHook(SimpleNamespace(loop=SimpleNamespace(risk=rm)), AlertSettings(burst=20),
                     {"webhook": registry.build("alert", {"component": "webhook", "url_env": "SCALP_TEST_RISK_HOOK"},
                                                path="alerts.webhook")})
    hook.dispatcher.start()
    rm.on_account(T0, 1e6, 1e5, {"KRW-BTC": 9e5}, open_orders_krw=7e5)      # exposure 1.6 > 1.5
    t0 = time.perf_counter()
    assert [t.switch for t in rm.evaluate(Metrics(), T0)] == ["exposure_leverage"]
    rm.on_account(T0 + 1000, 9.4e5, 9.4e5, {})                  # flat, -6 %: exposure clears, daily loss trips
    rm.evaluate(Metrics(), T0 + 1000)
    rm.on_account(T0 + 62_000, 1e6, 1e6, {})
    rm.evaluate(Metrics(), T0 + 62_000)                          # the 60 s daily-loss trip expires
    rm.on_account(T0 + 63_000, 1e6, 1e5, {"KRW-BTC": 9e5}, open_orders_krw=7e5)
    rm.evaluate(Metrics(), T0 + 63_000)
    assert rm.clear("exposure_leverage", T0 + 64_000) == 1       # by hand
    assert time.perf_counter() - t0 < 0.2                        # six alerts, none waits for the endpoint
    hook.dispatcher.close(drain_s=10)
    got = [b["content"] for b in ep.bodies()]
    assert got[0].startswith("[WARNING] kill switch exposure_leverage -> block_entries: gross exposure / equity 1.60")
    assert got[1:] == [
        "[WARNING] kill switch exposure_leverage cleared (condition gone) (switch=exposure_leverage "
        "action=block_entries)",
        "[WARNING] kill switch daily_loss -> block_entries: daily loss 6.00% (limit 5.00%): no new entries for the "
        "rest of the day (switch=daily_loss action=block_entries)",
        "[WARNING] kill switch daily_loss cleared (expired) (switch=daily_loss action=block_entries)",
        got[4],                                                  # exposure trips again
        "[WARNING] kill switch exposure_leverage cleared (cleared by hand) (switch=exposure_leverage "
        "action=block_entries)"]
    assert got[4].startswith("[WARNING] kill switch exposure_leverage -> block_entries")
    assert not sync_file.exists()                                # the synchronous channel was not used


def test_switched_off_killswitch_alerts_send_nothing_and_backtests_still_send(tmp_path):
    path = tmp_path / "a.jsonl"
    rm = RiskManager(switches=SW, limits=Limits(), markets=["KRW-BTC"],
                     alerts={"log": {"component": "log", "path": str(path)}})
    hook = AlertHook(SimpleNamespace(loop=SimpleNamespace(risk=rm)),
                     AlertSettings(events={"killswitch": False}), {"log": rm.alerts[0]})
    rm.on_account(T0, 1e6, 1e6, {})
    rm.on_account(T0 + 1, 9e5, 9e5, {})
    assert rm.evaluate(Metrics(), T0 + 1)
    hook.dispatcher.start()
    hook.dispatcher.close(drain_s=1)
    assert not path.exists()
    rm.alert_sink = None                                         # no session route: the old synchronous path
    rm.on_account(T0 + 2, 1e6, 1e6, {})
    rm.evaluate(Metrics(), T0 + 70_000)
    rm.on_account(T0 + 70_001, 9e5, 9e5, {})
    rm.evaluate(Metrics(), T0 + 70_001)
    assert "daily_loss" in path.read_text()
