"""The monitor's HTTP side on its own thread: /metrics, /health, /api/state, /events (SSE) and the dashboard at /."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any, Callable

SSE_POLL_S = 0.2                 # how often an open /events stream looks for a newer state
SSE_KEEPALIVE_S = 15.0           # comment line so proxies and browsers keep an idle stream open


def bind(host: str, port: int) -> socket.socket:
    """Bound listening socket (port 0 = a free one): the port is known before the server thread starts."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class MonitorServer:
    """Starlette app served by uvicorn on a daemon thread; reads only what the engine thread handed over."""

    def __init__(self, sock: socket.socket, latest: Callable[[], dict | None], health: Callable[[], tuple[int, dict]],
                 metrics: Callable[[], bytes], page: Callable[[], str]) -> None:
        self.sock, self.latest, self.health, self.metrics, self.page = sock, latest, health, metrics, page
        self.port = sock.getsockname()[1]
        self.closing = threading.Event()
        self.streams: dict[int, int] = {}        # open /events stream -> seq it delivered last
        self._ids = 0
        self.server: Any = None
        self.thread: threading.Thread | None = None

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
        from starlette.routing import Route
        from prometheus_client import CONTENT_TYPE_LATEST

        async def metrics(_req):
            return Response(self.metrics(), media_type=CONTENT_TYPE_LATEST)

        async def health(_req):
            code, body = self.health()
            return JSONResponse(body, status_code=code, headers={"Cache-Control": "no-store"})

        async def state(_req):
            return JSONResponse(self.latest() or {}, headers={"Cache-Control": "no-store"})

        async def page(_req):
            return HTMLResponse(self.page(), headers={"Cache-Control": "no-store"})

        async def events(_req):
            return StreamingResponse(self._stream(), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

        return Starlette(routes=[Route("/", page), Route("/metrics", metrics), Route("/health", health),
                                 Route("/api/state", state), Route("/events", events)])

    async def _stream(self) -> Any:
        self._ids += 1
        sid, sent, quiet = self._ids, -1, time.monotonic()
        self.streams[sid] = sent
        try:
            yield "retry: 2000\n\n"
            while True:
                snap = self.latest()
                if snap is not None and snap.get("seq", 0) != sent:
                    sent = snap.get("seq", 0)
                    yield f"id: {sent}\nevent: state\ndata: {json.dumps(snap, ensure_ascii=False)}\n\n"
                    self.streams[sid] = sent
                    quiet = time.monotonic()
                elif self.closing.is_set():
                    return
                elif time.monotonic() - quiet > SSE_KEEPALIVE_S:
                    quiet = time.monotonic()
                    yield ": keepalive\n\n"
                await asyncio.sleep(SSE_POLL_S)
        finally:
            self.streams.pop(sid, None)

    def start(self) -> None:
        import uvicorn
        cfg = uvicorn.Config(self.app(), log_level="warning", access_log=False, lifespan="off",
                             timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(cfg)
        self.server.install_signal_handlers = lambda: None      # the session owns SIGINT/SIGTERM
        self.thread = threading.Thread(target=self._run, name="scalp-monitor", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.server.serve(sockets=[self.sock]))
        finally:
            loop.close()

    def delivered(self, seq: int) -> bool:
        """Every open /events stream has sent the state `seq` (or a later one)."""
        return all(s >= seq for s in list(self.streams.values()))

    def stop(self, flush_s: float = 1.0, join_s: float = 5.0) -> None:
        """Let open streams deliver the last state (at most `flush_s`), then shut the server down."""
        snap = self.latest() or {}
        deadline = time.monotonic() + flush_s
        while not self.delivered(snap.get("seq", 0)) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.closing.set()
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(join_s)
        try:
            self.sock.close()
        except OSError:
            pass
