"""Heartbeat of a paper/live session (a session hook): one JSON INFO line every logging.heartbeat_s with equity,
positions and feed lag, and a watchdog thread that logs and alerts once when the engine thread stops ticking."""
from __future__ import annotations

import json
import logging
import math
import threading
import time
from typing import Any, Callable

from engine.alerts.events import make
from engine.i18n import t
from engine.settings import settings_of

log = logging.getLogger("scalp.heartbeat")


def build(ctx: Any) -> "Heartbeat | None":
    """engine/live/hooks.py factory: None with logging.heartbeat_s = 0."""
    st = settings_of(ctx.cfg)
    if st.logging.heartbeat_s <= 0:
        return None
    post = ctx.extra.get("alerts") if st.alerting.events.heartbeat else None
    return Heartbeat(st.logging.heartbeat_s, st.logging.stall_beats, post)


class Heartbeat:
    """`on_tick` only stamps the time and, once per heartbeat, writes a line; the watchdog thread compares
    that stamp with the clock and raises the stall (once) and its end."""

    def __init__(self, heartbeat_s: float, stall_beats: int, post: Callable | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.heartbeat_s, self.stall_s, self.post, self.clock = heartbeat_s, heartbeat_s * stall_beats, post, clock
        self.last_tick_s = clock()
        self.next_beat_s = 0.0
        self.started_s = self.last_tick_s
        self.stalled_at_s: float | None = None
        self.stalls = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def on_start(self, ctx: Any) -> None:
        self.last_tick_s = self.started_s = self.clock()
        self.beat(ctx, self.last_tick_s)
        self._thread = threading.Thread(target=self._watch, name="scalp-heartbeat-watchdog", daemon=True)
        self._thread.start()

    def on_tick(self, ctx: Any, now_s: float) -> None:
        self.last_tick_s = now_s
        if now_s >= self.next_beat_s:
            self.beat(ctx, now_s)

    def on_stop(self, ctx: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)

    def line(self, ctx: Any, now_s: float) -> dict:
        loop, silence = ctx.loop, ctx.silence
        snap = loop.risk.snapshot
        last_ev = getattr(silence, "last_ev", None)
        lag_ms = int(time.time() * 1000) - int(last_ev.ts_ms) if getattr(last_ev, "ts_ms", None) else None
        # the risk manager's last valuation (None before the first): a heartbeat never asks the exchange
        equity, cash = float(snap.equity_krw), float(snap.cash_krw)
        return {"event": "heartbeat", "mode": ctx.mode, "run_id": ctx.run_id, "events": ctx.result.events,
                "equity_krw": round(equity, 2) if math.isfinite(equity) else None,
                "cash_krw": round(cash, 2) if math.isfinite(cash) else None,
                "positions": {m: round(v, 2) for m, v in snap.positions_krw.items()},
                "open_orders": len(loop.om.open), "state": loop.risk.state.value,
                "feed_idle_s": round(now_s - silence.last_s, 3) if silence is not None else None,
                "feed_lag_ms": lag_ms, "uptime_s": round(now_s - self.started_s, 1)}

    def beat(self, ctx: Any, now_s: float) -> None:
        self.next_beat_s = now_s + self.heartbeat_s
        log.info(json.dumps(self.line(ctx, now_s), ensure_ascii=False))

    def _watch(self) -> None:
        check_s = min(self.heartbeat_s / 2.0, 5.0)
        while not self._stop.wait(check_s):
            silent_s = self.clock() - self.last_tick_s
            if self.stalled_at_s is None and silent_s >= self.stall_s:
                self.stalled_at_s = self.last_tick_s
                self.stalls += 1
                log.error(json.dumps({"event": "engine_stalled", "silent_s": round(silent_s, 1),
                                      "heartbeat_s": self.heartbeat_s}))
                if self.post is not None:
                    self.post(make("heartbeat", "critical", t("alerts.stalled", seconds=silent_s,
                                                              heartbeat_s=self.heartbeat_s)))
            elif self.stalled_at_s is not None and silent_s < self.stall_s:
                gap_s = self.last_tick_s - self.stalled_at_s
                self.stalled_at_s = None
                log.warning(json.dumps({"event": "engine_resumed", "silent_s": round(gap_s, 1)}))
                if self.post is not None:
                    self.post(make("heartbeat", "warning", t("alerts.unstalled", seconds=gap_s)))
