"""The alert service of a paper/live session (a session hook): builds the `alerts` channels, routes the risk
manager's kill-switch trips and clears through the dispatcher, and posts session events."""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable

import registry
from engine.alerts.dispatcher import Dispatcher
from engine.alerts.events import Alert, SessionWatch, make
from engine.conf import plain
from engine.i18n import t
from engine.settings import settings_of

log = logging.getLogger("scalp.alert")
LOUD_ACTIONS = ("halt", "flatten")        # trips that stop trading or sell everything are critical


def build(ctx: Any) -> "AlertHook | None":
    """engine/live/hooks.py factory: None without alert channels (nothing to deliver to)."""
    nodes = plain(ctx.cfg.get("alerts")) or {}
    if not nodes:
        return None
    channels = {str(aid): registry.build("alert", node, path=f"alerts.{aid}") for aid, node in nodes.items()}
    hook = AlertHook(ctx, settings_of(ctx.cfg).alerting, channels)
    ctx.extra["alerts"] = hook.post          # the heartbeat watchdog alerts through the same dispatcher
    return hook


class AlertHook:
    """Engine-thread side of alerting: every method only formats and queues; the dispatcher's lanes send."""

    def __init__(self, ctx: Any, s: Any, channels: dict[str, Any], wall: Callable[[], float] = time.time) -> None:
        self.s = s
        self.dispatcher = Dispatcher(channels, s)
        self.watch = SessionWatch(s, self.post, wall)
        self.risk = ctx.loop.risk
        self.risk.alert_sink = self._risk     # set even with killswitch alerts off: no synchronous send

    def post(self, alert: Alert) -> None:
        self.dispatcher.post(alert)

    def _risk(self, kind: str, switch: str, action: str, market: str, reason: str) -> None:
        if not self.s.events.killswitch:
            return
        try:
            self._risk_alert(kind, switch, action, market, reason)
        except Exception as e:  # noqa: BLE001  called inside the risk manager's evaluation: never raise there
            log.warning(json.dumps({"event": "alert_format_failed", "kind": kind, "error": type(e).__name__}))

    def _risk_alert(self, kind: str, switch: str, action: str, market: str, reason: str) -> None:
        if kind == "trip":
            text = t("risk.trip", switch=switch, action=action, reason=reason)
            level = "critical" if action in LOUD_ACTIONS else "warning"
        else:      # a clear reaches every channel its trip reached
            text = t("alerts.clear", switch=switch, market=f" {market}" if market else "",
                     why=t(f"alerts.clear.{reason}"))
            level = "warning"
        self.post(make(f"killswitch_{kind}", level, text, switch=switch, action=action, market=market))

    def on_start(self, ctx: Any) -> None:
        self.dispatcher.start()
        self.watch.start(ctx)
        if self.s.events.session:
            self.post(make("session_start", "info", t("alerts.session_start", mode=ctx.mode, run_id=ctx.run_id,
                                                       markets=",".join(map(str, ctx.loop.markets)))))

    def on_tick(self, ctx: Any, now_s: float) -> None:
        self.watch.tick(ctx, now_s)

    def on_stop(self, ctx: Any) -> None:
        res = ctx.result
        if self.risk.alert_sink == self._risk:
            self.risk.alert_sink = None
        if self.s.events.errors and res.error:
            self.post(make("error", "critical", t("alerts.session_failed", mode=ctx.mode, run_id=ctx.run_id,
                                                  error=str(res.error)[:500]), kind="session"))
        if self.s.events.session:
            summary = res.summary or {}
            self.post(make("session_stop", "info", t(
                "alerts.session_stop", mode=ctx.mode, status=res.status, run_id=ctx.run_id, events=res.events,
                trades=summary.get("trades", 0), net_krw=float(summary.get("net_krw", 0.0) or 0.0))))
        self.dispatcher.start()                  # a session that failed before on_start still says so
        self.dispatcher.close()
