"""The monitor as a session hook: snapshots on the engine thread, HTTP on its own thread, a session file for `scalp status`."""
from __future__ import annotations

import json
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from engine.monitor.metrics import SessionMetrics
from engine.monitor.state import FeedWatch, Taps, snapshot

log = logging.getLogger("scalp.monitor")
ENGINE_STUCK_S = 10.0              # no tick for this long: the engine thread is stuck (liveness fails)


def build(ctx: Any) -> "MonitorHook | None":
    """Factory named in engine/live/hooks.py: None when `monitor.enabled` is false."""
    from engine.settings import settings_of
    s = settings_of(ctx.cfg).monitor
    return MonitorHook(ctx, s) if s.enabled else None


class MonitorHook:
    """Serves /metrics, /health, /events and the dashboard of one paper/live session."""

    def __init__(self, ctx: Any, settings: Any) -> None:
        self.ctx, self.s = ctx, settings
        from engine.settings import settings_of
        self.lang = settings_of(ctx.cfg).ui.lang      # the dashboard speaks the session's ui.lang
        self.metrics = SessionMetrics(lambda: self.latest)
        self.latest: dict | None = None          # replaced whole (never mutated): the server thread reads it
        self.seq = 0
        self.server: Any = None
        self.session_file: Path | None = None
        self.url = ""
        self._next_s = 0.0
        self._tick_s = time.monotonic()
        self._store_errors = 0
        self._store_error_s = -math.inf
        self.started_s = time.time()
        self.taps: Taps | None = None
        self.feed = FeedWatch(ctx.silence)
        self._remaining_req = _remaining_req_source(ctx)
        self._ws_stats = _ws_stats_source(ctx)

    # ---- session hook ---------------------------------------------------------------------------
    def on_start(self, ctx: Any) -> None:
        from engine.i18n import t
        from engine.monitor.server import MonitorServer, bind
        from engine.monitor.sessions import sessions_dir, url_of, write_session
        self.taps = Taps(ctx.loop, self.s.recent_rows, self.metrics)
        self.publish()
        try:
            sock = bind(self.s.host, self.s.port)
        except OSError as e:              # a port in use must not stop trading: say so, run without a monitor
            log.warning(json.dumps({"event": "monitor_bind_failed", "host": self.s.host, "port": self.s.port,
                                    "error": str(e)[:200]}))
            print(t("monitor.bind_failed", host=self.s.host, port=self.s.port, error=e.strerror or str(e)),
                  file=sys.stderr, flush=True)         # a problem: stderr (the session's results stay on stdout)
            return
        self.server = MonitorServer(sock, lambda: self.latest, self.health, self.metrics.exposition, self.page)
        self.server.start()
        self.url = url_of({"host": self.s.host, "port": self.server.port})
        try:
            self.session_file = write_session(sessions_dir(ctx.cfg), ctx.run_id, ctx.mode, self.s.host, self.server.port)
        except OSError as e:
            log.warning(json.dumps({"event": "session_file_failed", "error": str(e)[:200]}))
        ctx.extra["monitor_url"] = self.url
        ctx.extra["monitor"] = self               # other hooks (alerts, control) may read its state or url
        print(t("monitor.listening", url=self.url), flush=True)
        log.info(json.dumps({"event": "monitor_started", "url": self.url, "pid": os.getpid()}))

    def on_tick(self, ctx: Any, now_s: float) -> None:
        self._tick_s = now_s
        self.feed.tick()
        if now_s >= self._next_s:
            self._next_s = now_s + self.s.publish_interval_s
            self.publish()

    def on_stop(self, ctx: Any) -> None:
        try:
            self.publish(status=getattr(ctx.result, "status", "done") or "done")
        except Exception as e:  # noqa: BLE001  a closed exchange client: the last state stays the one before
            log.info(json.dumps({"event": "monitor_final_state_failed", "error": f"{type(e).__name__}: {e}"[:200]}))
        finally:
            if self.server is not None:
                self.server.stop()
            if self.session_file is not None:
                try:
                    self.session_file.unlink()
                except OSError:
                    pass

    # ---- state ----------------------------------------------------------------------------------
    def publish(self, status: str = "running") -> None:
        """A fresh snapshot for the server thread (engine thread only)."""
        ctx = self.ctx
        if self.taps is not None:
            self.taps.count_fills()
        errors = ctx.loop.recorder.errors + getattr(ctx.loop.risk, "persist_errors", 0)
        if errors > self._store_errors:
            self._store_errors, self._store_error_s = errors, time.monotonic()
        ws = self._ws_stats()
        self.seq += 1
        snap = snapshot(ctx, self.taps or _NoTaps(), self.feed, self.seq, self.s.recent_rows,
                        {"status": status, "remaining_req": self._remaining_req(),
                         "reconnects": getattr(ws, "reconnects", None)})
        snap["store_error_age_s"] = time.monotonic() - self._store_error_s if errors else None
        snap["lang"] = self.lang
        self.latest = snap

    def health(self) -> tuple[int, dict]:
        """(HTTP status, body): 200 when live and ready, else 503; read on the server thread."""
        snap = self.latest or {}
        now = time.monotonic()
        sil = self.ctx.silence
        tick_age = now - self._tick_s
        running = snap.get("status", "running") == "running"
        engine = {"ok": running and tick_age < ENGINE_STUCK_S, "tick_age_s": round(tick_age, 3),
                  "status": snap.get("status", "running")}
        feed_age = now - sil.last_s if sil is not None else math.inf
        # never laxer than the feed's own watch (which stops the session): the monitor says it first
        limit = min(self.s.stale_after_s, getattr(sil, "stale_after_s", 0) or math.inf)
        feed = {"ok": feed_age < limit, "age_s": round(feed_age, 3), "stale_after_s": limit,
                "url": getattr(sil, "url", "")}
        met = snap.get("metrics") or {}
        rate, calls = met.get("api_error_rate"), met.get("api_calls") or 0
        exchange = {"ok": not (calls and rate is not None and rate >= 1.0), "api_error_rate": rate,
                    "api_calls": calls, "kind": "sim" if self.ctx.mode == "paper" else "upbit"}
        err_age = snap.get("store_error_age_s")
        live_s = getattr(getattr(self.ctx.loop, "settings", None), "live", None)
        window = 2 * getattr(live_s, "flush_interval_s", 5.0) + 1.0      # a failed flush is retried at the next one
        store = {"ok": err_age is None or err_age > window, "errors": self._store_errors,
                 "last_error_age_s": None if err_age is None else round(err_age, 3)}
        live, ready = engine["ok"], feed["ok"] and exchange["ok"] and store["ok"]
        body = {"status": "ok" if live and ready else "unhealthy", "live": live, "ready": ready,
                "run_id": self.ctx.run_id, "mode": self.ctx.mode, "pid": os.getpid(), "url": self.url,
                "uptime_s": round(time.time() - self.started_s, 1), "trading_state": snap.get("trading_state"),
                "equity_krw": snap.get("equity_krw"), "open_orders": len(snap.get("open_orders", [])),
                "positions": len(snap.get("positions", [])),
                "checks": {"engine": engine, "feed": feed, "exchange": exchange, "store": store}}
        return (200 if live and ready else 503), body

    def page(self) -> str:
        from engine.monitor.page import render
        return render(self.latest or {}, self.lang)


class _NoTaps:
    decisions: list = []


def _remaining_req_source(ctx: Any) -> Any:
    """Callable -> {group: calls left this second} from the live REST client (empty for paper)."""
    rest = getattr(ctx.exchange, "rest", None)
    return lambda: dict(getattr(rest, "remaining_req", None) or {})


def _ws_stats_source(ctx: Any) -> Any:
    feed = ctx.extra.get("feed")
    return lambda: getattr(getattr(feed, "ws", None), "stats", None)

