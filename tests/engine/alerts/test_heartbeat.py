"""Heartbeat: one JSON line per heartbeat_s with equity, positions and feed lag; the watchdog alerts once when
the engine thread stops ticking (here: a thread that blocks) and once when it ticks again."""
import json
import logging
import threading
import time
from types import SimpleNamespace

from components.types.risk import RiskSnapshot
from engine.alerts.heartbeat import Heartbeat
from engine.risk.state import TradingState


def fake_ctx():
    snap = RiskSnapshot(markets=("KRW-BTC",))
    snap.equity_krw, snap.cash_krw, snap.positions_krw = 1_000_500.0, 900_000.0, {"KRW-BTC": 100_500.0}
    loop = SimpleNamespace(risk=SimpleNamespace(snapshot=snap, state=TradingState.ACTIVE),
                           om=SimpleNamespace(open={"a": 1}), execution=None)
    silence = SimpleNamespace(last_s=time.monotonic(), last_ev=SimpleNamespace(ts_ms=int(time.time() * 1000) - 1500))
    return SimpleNamespace(loop=loop, silence=silence, mode="paper", run_id=7, result=SimpleNamespace(events=42))


def engine_thread(hb, ctx, run_s, block_s, after_s):
    """Ticks every 10 ms for run_s, blocks for block_s (a stuck call), then ticks for after_s."""
    def run():
        hb.on_start(ctx)
        for phase_s, blocked in ((run_s, False), (block_s, True), (after_s, False)):
            end = time.monotonic() + phase_s
            if blocked:
                time.sleep(phase_s)
                continue
            while time.monotonic() < end:
                hb.on_tick(ctx, time.monotonic())
                time.sleep(0.01)
        hb.on_stop(ctx)
    th = threading.Thread(target=run)
    th.start()
    return th


def test_a_blocked_engine_thread_is_alerted_once_and_its_return_once(caplog):
    caplog.set_level(logging.INFO, logger="scalp.heartbeat")
    posted = []
    hb = Heartbeat(heartbeat_s=0.1, stall_beats=3, post=posted.append)
    engine_thread(hb, fake_ctx(), run_s=0.5, block_s=1.2, after_s=0.5).join(10)
    assert [(a.event, a.level) for a in posted] == [("heartbeat", "critical"), ("heartbeat", "warning")]
    assert posted[0].message.startswith("엔진 스레드가") or posted[0].message.startswith("engine thread has not")
    assert hb.stalls == 1
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "scalp.heartbeat"]
    stalled = [x for x in lines if x["event"] == "engine_stalled"]
    assert len(stalled) == 1 and 0.3 <= stalled[0]["silent_s"] < 0.6
    resumed = [x for x in lines if x["event"] == "engine_resumed"]
    assert len(resumed) == 1 and 1.0 <= resumed[0]["silent_s"] < 1.6


def test_heartbeat_lines_carry_equity_positions_and_feed_lag(caplog):
    caplog.set_level(logging.INFO, logger="scalp.heartbeat")
    hb = Heartbeat(heartbeat_s=0.1, stall_beats=3, post=None)
    engine_thread(hb, fake_ctx(), run_s=0.55, block_s=0, after_s=0).join(10)
    beats = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith('{"event": "heartbeat"')]
    assert 5 <= len(beats) <= 7                                     # one at start, then one per 0.1 s
    b = beats[-1]
    assert b["equity_krw"] == 1_000_500.0 and b["cash_krw"] == 900_000.0 and b["positions"] == {"KRW-BTC": 100_500.0}
    assert b["open_orders"] == 1 and b["state"] == "ACTIVE" and b["run_id"] == 7 and b["events"] == 42
    assert 0.4 <= b["feed_idle_s"] < 1.5 and b["feed_lag_ms"] >= 1500
    assert hb.stalls == 0


def test_a_steady_engine_thread_never_alerts():
    posted = []
    hb = Heartbeat(heartbeat_s=0.05, stall_beats=4, post=posted.append)
    engine_thread(hb, fake_ctx(), run_s=0.6, block_s=0.1, after_s=0.2).join(10)   # 0.1 s < 4 x 0.05 s
    assert posted == [] and hb.stalls == 0
