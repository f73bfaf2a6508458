"""The alert hook's session events: start, a failed session's error (critical) before its stop, and no hook
at all without alert channels."""
import json
from types import SimpleNamespace

import pytest

import registry
from components.types.risk import RiskSnapshot
from engine.alerts import hook as alert_hook
from engine.app import compose, job_config
from engine.settings import AlertSettings


pytestmark = pytest.mark.usefixtures("english")     # conftest: English messages


def ctx_for(cfg=None, error="", status="failed"):
    snap = RiskSnapshot()
    snap.equity_krw = 1e6
    data = SimpleNamespace(fills=[], trades=[], trips=[])
    loop = SimpleNamespace(risk=SimpleNamespace(snapshot=snap, persist_errors=0, alert_sink=None),
                           ledger=SimpleNamespace(data=data), om=SimpleNamespace(rejected=[]), store_errors=0,
                           markets=["KRW-BTC"])
    res = SimpleNamespace(error=error, status=status, events=12, summary={"trades": 2, "net_krw": -1234.0})
    return SimpleNamespace(cfg=cfg, mode="live", run_id=9, loop=loop, result=res, silence=None, extra={})


def test_a_failed_session_says_why_before_it_says_stopped(tmp_path):
    path = tmp_path / "alerts.jsonl"
    ctx = ctx_for(error="UpbitError: 503 service unavailable")
    log = registry.build("alert", {"component": "log", "path": str(path)}, path="alerts.log")
    hook = alert_hook.AlertHook(ctx, AlertSettings(events={"daily_summary": False}), {"log": log})
    assert ctx.loop.risk.alert_sink == hook._risk                 # routed from construction on
    hook.on_start(ctx)
    hook.on_stop(ctx)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [(x["level"], x["message"]) for x in lines] == [
        ("info", "live session started: run 9, markets KRW-BTC"),
        ("critical", "live session failed (run 9): UpbitError: 503 service unavailable"),
        ("info", "live session stopped (failed): run 9, 12 events, 2 trades, net -1,234 KRW")]
    assert lines[1]["kind"] == "session" and ctx.loop.risk.alert_sink is None


def test_no_channels_no_hook_and_the_factory_shares_its_post():
    cfg = job_config(compose(["alerts=[]"]))
    assert alert_hook.build(ctx_for(cfg)) is None
    ctx = ctx_for(job_config(compose(["alerts=[log]"])))
    hook = alert_hook.build(ctx)
    assert hook is not None and ctx.extra["alerts"] == hook.post
    hook.dispatcher.close(drain_s=0)
