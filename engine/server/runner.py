"""Start/stop the exchange server: blocking (CLI) or in a background thread on an ephemeral port (tests)."""
from __future__ import annotations

import asyncio
import threading
import time

from engine.server.config import ServerConfig


def _uvicorn_config(app, host: str, port: int):
    import uvicorn
    # websockets-sansio: the maintained uvicorn adapter for websockets >= 14 (no legacy API warnings).
    return uvicorn.Config(app, host=host, port=port, log_level="warning", ws="websockets-sansio",
                          lifespan="on", access_log=False, ws_ping_interval=20, ws_ping_timeout=20,
                          date_header=False)     # the app writes Date itself (engine/server/app.py date_header)


class RunningServer:
    """A server running in a daemon thread; `base_url`, `ws_url`, `state`, `stop()`."""

    def __init__(self, cfg: ServerConfig) -> None:
        import uvicorn

        from engine.server.app import build_app
        self.app, self.state = build_app(cfg)
        self.server = uvicorn.Server(_uvicorn_config(self.app, cfg.host, cfg.port))
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, name="exchange-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("exchange server did not start")
            time.sleep(0.02)
        sock = self.server.servers[0].sockets[0]
        self.port = sock.getsockname()[1]
        self.base_url = f"http://{cfg.host}:{self.port}"
        self.ws_url = f"ws://{cfg.host}:{self.port}/websocket/v1"

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def call(self, fn, timeout_s: float = 5.0):
        """Run `fn()` on the server's loop thread (tests poking state safely) and return its result."""
        async def wrap():
            return fn()
        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result(timeout_s)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_forever(cfg: ServerConfig) -> None:
    import uvicorn

    from engine.server.app import build_app
    app, _ = build_app(cfg)
    uvicorn.Server(_uvicorn_config(app, cfg.host, cfg.port)).run()
