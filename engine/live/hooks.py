"""Session hooks: services that run beside a paper/live session (monitor, alerts, control) through one call site."""
from __future__ import annotations

import importlib
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger("scalp.live")

# Dotted "module:factory" paths, imported lazily so a session without these services pays nothing for them.
# A factory takes the SessionContext and returns a hook, or None when its service is off in the config.
HOOK_FACTORIES: tuple[str, ...] = (
    "engine.monitor.hook:build",          # /metrics, /health, dashboard (monitor.*)
    "engine.control.hook:build",          # hot reload of the safe subset (control.*)
    "engine.alerts.hook:build",           # webhook / Telegram / log alerts (alerts, alerting.*)
    "engine.alerts.heartbeat:build",      # heartbeat line + stall watchdog (logging.heartbeat_s); after alerts
)


@dataclass
class SessionContext:
    """What a hook may read: the composed config, the running loop and the session's stop switch."""
    cfg: Any
    mode: str                      # "paper" | "live"
    loop: Any                      # engine.loop.EngineLoop
    store: Any
    run_id: int | None
    result: Any                    # engine.live.runner.SessionResult (events, status, error as the run goes)
    stop: threading.Event          # set it to stop the session gracefully
    exchange: Any = None
    silence: Any = None            # engine.live.runner._Silence: when the feed last delivered, and what
    extra: dict = field(default_factory=dict)   # hooks may leave values here for each other


class SessionHook(Protocol):
    """A service beside the session. Every method runs on the engine thread and must return quickly; slow
    work (HTTP, disk) belongs on the hook's own thread."""

    def on_start(self, ctx: SessionContext) -> None: ...

    def on_tick(self, ctx: SessionContext, now_s: float) -> None: ...

    def on_stop(self, ctx: SessionContext) -> None: ...


class Hooks:
    """The hooks of one session; a failing hook is logged once per method and never stops trading."""

    def __init__(self, hooks: list[Any]) -> None:
        self.hooks = hooks
        self._failed: set[tuple[int, str]] = set()

    @classmethod
    def build(cls, ctx: SessionContext, factories: tuple[str, ...] | None = None) -> "Hooks":
        hooks = []
        for path in (HOOK_FACTORIES if factories is None else factories):
            mod, _, name = path.partition(":")
            hook = getattr(importlib.import_module(mod), name)(ctx)
            if hook is not None:
                hooks.append(hook)
        return cls(hooks)

    def _each(self, method: str, *args: Any) -> None:
        for i, h in enumerate(self.hooks):
            fn = getattr(h, method, None)
            if fn is None:
                continue
            try:
                fn(*args)
            except Exception as e:  # noqa: BLE001  a monitor or alert fault must not touch the orders
                if (i, method) not in self._failed:
                    self._failed.add((i, method))
                    log.warning(json.dumps({"event": "hook_failed", "hook": type(h).__name__, "method": method,
                                            "error": f"{type(e).__name__}: {e}"[:300]}))

    def start(self, ctx: SessionContext) -> None:
        self._each("on_start", ctx)

    def tick(self, ctx: SessionContext, now_s: float) -> None:
        if self.hooks:
            self._each("on_tick", ctx, now_s)

    def stop(self, ctx: SessionContext) -> None:
        self._each("on_stop", ctx)
