"""Fault-injecting HTTP/WebSocket proxy in front of the local exchange server (127.0.0.1 only), seeded and counted."""
from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

# Faults decided per HTTP request, in the order they are drawn. "before" faults never reach the server; the others
# forward the request (the exchange acts on it) and then spoil the reply.
REQUEST_FAULTS = ("reset_before", "hang_before", "error_5xx", "storm_429", "teapot_418",
                  "drop_after", "hang_after", "error_5xx_after", "malformed_2xx")
# cover_first hands the faults out in this order: the ones a client gets past quickly first, the slow ones last
COVER_ORDER = ("error_5xx", "drop_after", "malformed_2xx", "error_5xx_after", "reset_before", "hang_after",
               "hang_before", "teapot_418", "storm_429")
LOCAL = ("127.0.0.1", "localhost", "::1")


@dataclass
class FaultRule:
    """Rates (0..1) of each request fault for requests matching `method` and `path` (empty = any)."""
    method: str = ""
    path: str = ""
    rates: dict[str, float] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and (not self.path or self.path == path)


@dataclass
class ProxyConfig:
    """Proxy settings: upstream server, rules (first match wins), WS drop mean, hang length, 429-storm length."""
    upstream_port: int
    port: int = 0
    host: str = "127.0.0.1"
    rules: list[FaultRule] = field(default_factory=list)
    ws_drop_mean_s: float = 0.0          # 0 = WebSockets are never dropped
    hang_s: float = 15.0                 # longer than the client's timeout
    storm_s: float = 2.0                 # once a 429 storm starts, every request gets 429 for this long
    cover_first: bool = False            # each rule's first requests get each of its faults once (short runs)
    seed: int = 0


def _error(status: int, name: str, message: str, extra: dict | None = None) -> bytes:
    body = json.dumps({"error": {"name": name, "message": message}}).encode()
    reason = {418: "I'm a teapot", 429: "Too Many Requests", 500: "Internal Server Error",
              502: "Bad Gateway"}.get(status, "Error")
    head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json; charset=utf-8",
            f"content-length: {len(body)}"] + [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None


def _headers(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    out = []
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            out.append((k.strip(), v.strip()))
    return lines[0], out


def _get(headers: list[tuple[str, str]], name: str) -> str:
    return next((v for k, v in headers if k.lower() == name), "")


class FaultProxy:
    """Run with `start()` (a daemon thread with its own loop) / `stop()`; `counts` holds injected faults by type,
    `upstream` the statuses the real server answered (its own 418s and 429s included), `paused` turns faults off."""

    def __init__(self, cfg: ProxyConfig) -> None:
        if cfg.host not in LOCAL:
            raise ValueError("host: the fault proxy binds to 127.0.0.1 only")
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.counts: Counter = Counter()
        self.upstream: Counter = Counter()
        self.order_replies: Counter = Counter()      # POST /v1/orders outcomes: "<status> <error name>"
        self.paused = False
        self.storm_until = 0.0
        self._covered: dict[int, int] = {}
        self._owed: dict[int, list[str]] = {}      # cover draws that did not land (server down, nothing to spoil)
        self.port = cfg.port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ws: set[asyncio.StreamWriter] = set()
        self._lock = threading.Lock()

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "FaultProxy":
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._client, self.cfg.host, self.cfg.port))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close() -> None:
            self._server.close()
            for w in list(self._ws):
                w.close()
            me = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not me]
            for t in pending:                  # hangs in progress end with the proxy
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def base_url(self) -> str:
        return f"http://{self.cfg.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.cfg.host}:{self.port}/websocket/v1"

    def count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def snapshot(self) -> dict:
        with self._lock:
            return {"injected": dict(sorted(self.counts.items())),
                    "upstream_status": dict(sorted(self.upstream.items())),
                    "order_replies": dict(sorted(self.order_replies.items()))}

    # ---- decisions ---------------------------------------------------------------------------------
    def draw(self, method: str, path: str) -> str:
        """The fault for one request ("" = none): a running 429 storm first, then the first matching rule's rates."""
        if self.paused:
            return ""
        now = time.monotonic()
        if now < self.storm_until:
            return "storm_429"
        rule = next((r for r in self.cfg.rules if r.matches(method, path)), None)
        if rule is None:
            return ""
        owed = self._owed.get(id(rule))
        if owed:                               # a type whose cover draw came to nothing: drawn again first
            return owed.pop(0)
        kinds = [k for k in COVER_ORDER if rule.rates.get(k, 0.0) > 0]
        seen = self._covered.get(id(rule), 0)
        if self.cfg.cover_first and seen < 2 * len(kinds):
            self._covered[id(rule)] = seen + 1
            if seen % 2 == 0:                  # every other request stays clean, so a client can make progress
                return ""
            kind = kinds[seen // 2]
            if kind == "storm_429":
                self.storm_until = now + self.cfg.storm_s
            return kind
        x = self.rng.random()
        for kind in REQUEST_FAULTS:
            x -= rule.rates.get(kind, 0.0)
            if x < 0:
                if kind == "storm_429":
                    self.storm_until = now + self.cfg.storm_s
                return kind
        return ""

    def missed(self, method: str, path: str, kind: str) -> None:
        """A drawn "after" fault that did not happen (the server was down, or no 2xx to spoil). With
        `cover_first`, a type never injected yet is owed to the rule's next request: a short run whose server
        kill fell on that one draw would otherwise never inject it."""
        rule = next((r for r in self.cfg.rules if r.matches(method, path)), None)
        if not self.cfg.cover_first or rule is None or not kind:
            return
        with self._lock:
            if self.counts[kind] == 0 and kind not in self._owed.get(id(rule), ()):
                self._owed.setdefault(id(rule), []).append(kind)

    # ---- connections -------------------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await _read_head(reader)
                if head is None:
                    return
                line, headers = _headers(head)
                body = b""
                n = int(_get(headers, "content-length") or 0)
                if n:
                    body = await reader.readexactly(n)
                if _get(headers, "upgrade").lower() == "websocket":
                    await self._websocket(head, reader, writer)
                    return
                if not await self._request(line, headers, body, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _request(self, line: str, headers: list, body: bytes, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the client connection must be closed."""
        method, target = line.split(" ")[0], line.split(" ")[1]
        path = target.split("?")[0]
        kind = self.draw(method, path)
        if kind in ("reset_before", "hang_before", "error_5xx", "storm_429", "teapot_418"):
            self.count(kind)
        if kind == "reset_before":
            return False
        if kind == "hang_before":
            await asyncio.sleep(self.cfg.hang_s)
            return False
        if kind in ("error_5xx", "storm_429", "teapot_418"):
            status, name = {"error_5xx": (500, "server_error"), "storm_429": (429, "too_many_requests"),
                            "teapot_418": (418, "too_many_requests_blocked")}[kind]
            writer.write(_error(status, name, f"injected {status}", {"Retry-After": "1"} if status == 418 else None))
            await writer.drain()
            return True
        reply = await self._forward(method, target, headers, body)
        if reply is None:                      # the server is down: the client sees the connection close
            self.missed(method, path, kind)
            return False
        status, rhead, rbody = reply
        with self._lock:
            self.upstream[str(status)] += 1
            if method == "POST" and path == "/v1/orders":
                self.order_replies[f"{status} {_error_name(rbody)}".strip()] += 1
        if kind == "malformed_2xx" and not 200 <= status < 300:
            self.missed(method, path, kind)
            kind = ""                          # nothing to spoil: the draw does not become a fault
        if kind:
            self.count(kind)
        if kind == "drop_after":
            return False
        if kind == "hang_after":
            await asyncio.sleep(self.cfg.hang_s)
            return False
        if kind == "error_5xx_after":
            writer.write(_error(502, "bad_gateway", "injected 502 after the server answered"))
        elif kind == "malformed_2xx":
            writer.write(_rebuild(rhead, _garble(rbody, self.rng)))
        else:
            writer.write(_rebuild(rhead, rbody))
        await writer.drain()
        return True

    async def _forward(self, method: str, target: str, headers: list, body: bytes):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", self.cfg.upstream_port)
        except OSError:
            return None
        try:
            keep = [(k, v) for k, v in headers if k.lower() not in ("connection", "keep-alive")]
            req = [f"{method} {target} HTTP/1.1", *[f"{k}: {v}" for k, v in keep], "Connection: close"]
            w.write(("\r\n".join(req) + "\r\n\r\n").encode("latin-1") + body)
            await w.drain()
            head = await _read_head(r)
            if head is None:
                return None
            status_line, rheaders = _headers(head)
            n = _get(rheaders, "content-length")
            rbody = await r.readexactly(int(n)) if n else await r.read()
            return int(status_line.split(" ")[1]), (status_line, rheaders), rbody
        except (OSError, asyncio.IncompleteReadError):
            return None
        finally:
            w.close()

    async def _websocket(self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", self.cfg.upstream_port)
        except OSError:
            return
        uw.write(head)
        self._ws.add(writer)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()

        tasks = [asyncio.ensure_future(pipe(reader, uw)), asyncio.ensure_future(pipe(ur, writer))]
        drop_s = self.rng.expovariate(1.0 / self.cfg.ws_drop_mean_s) if self.cfg.ws_drop_mean_s > 0 else None
        while True:
            done, _ = await asyncio.wait(tasks, timeout=drop_s, return_when=asyncio.FIRST_COMPLETED)
            if done:
                break
            if not self.paused:
                self.count("ws_drop")
                break
            drop_s = None                      # faults are off: this socket lives until a side closes it
        for t in tasks:
            t.cancel()
        self._ws.discard(writer)
        uw.close()
        writer.close()


def _error_name(body: bytes) -> str:
    try:
        d = json.loads(body)
    except ValueError:
        return ""
    return str(d["error"].get("name", "")) if isinstance(d, dict) and isinstance(d.get("error"), dict) else ""


def _rebuild(head: tuple[str, list], body: bytes) -> bytes:
    """The reply as the client gets it: same status and headers, body length fixed, connection kept open."""
    status_line, headers = head
    keep = [(k, v) for k, v in headers if k.lower() not in ("content-length", "connection", "transfer-encoding")]
    lines = [status_line, *[f"{k}: {v}" for k, v in keep], f"content-length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _garble(body: bytes, rng: random.Random) -> bytes:
    """A 2xx body the client cannot use: cut short, an HTML error page, or empty."""
    choice = rng.randrange(3)
    if choice == 0:
        return body[: max(1, len(body) // 2)]
    if choice == 1:
        return b"<html><body>502 Bad Gateway</body></html>"
    return b""
