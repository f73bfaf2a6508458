"""Async Upbit WebSocket client: public/private streams, reconnect with backoff, keepalive, trade dedup."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from components.types.upbit.auth import make_token
from components.types.upbit.messages import MessageError, decode_frame, parse_message
from components.types.events import Trade

log = logging.getLogger("scalp.upbit.ws")


@dataclass
class WsStats:
    """Counters a run summary / metrics can publish."""
    connects: int = 0
    reconnects: int = 0
    messages: int = 0
    malformed: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    stale_reconnects: int = 0
    backfilled: int = 0
    errors: list[str] = field(default_factory=list)


class AuthRefused(RuntimeError):
    """The private stream refused the token (INVALID_AUTH or a 401/403 handshake): reconnecting cannot help."""


class TradeDeduper:
    """Drops trades whose `sequential_id` was already seen (per market) and counts out-of-order ones.

    Upbit says sequential_id is unique but does not guarantee order, so an older sid is delivered
    (and counted) rather than dropped; only an exact repeat is a duplicate."""

    def __init__(self, memory: int = 20_000) -> None:
        self.memory = memory
        self._seen: dict[str, set[int]] = {}
        self._order: dict[str, deque[int]] = {}
        self.last_sid: dict[str, int] = {}
        self.duplicates = 0
        self.out_of_order = 0

    def accept(self, trade: Trade) -> bool:
        seen = self._seen.setdefault(trade.market, set())
        if trade.seq in seen:
            self.duplicates += 1
            return False
        order = self._order.setdefault(trade.market, deque())
        seen.add(trade.seq)
        order.append(trade.seq)
        if len(order) > self.memory:
            seen.discard(order.popleft())
        last = self.last_sid.get(trade.market)
        if last is not None and trade.seq < last:
            self.out_of_order += 1
        else:
            self.last_sid[trade.market] = trade.seq
        return True


def subscription(types: dict[str, list[str] | None], fmt: str = "DEFAULT", only_realtime: bool = False) -> str:
    """The request message: [{ticket}, {type, codes}..., {format}] (§7.2)."""
    msg: list[dict] = [{"ticket": str(uuid.uuid4())}]
    for kind, codes in types.items():
        item: dict = {"type": kind}
        if codes:
            item["codes"] = list(codes)
        if only_realtime:
            item["is_only_realtime"] = True
        msg.append(item)
    msg.append({"format": fmt})
    return json.dumps(msg)


class UpbitWs:
    """One logical Upbit stream that survives reconnects; iterate `events()` for parsed events.

    backfill: optional coroutine (market, after_sid) -> list[Trade] called after each reconnect to
    fetch trades missed while disconnected (REST /v1/trades/ticks); the deduper removes overlap."""

    def __init__(self, url: str, types: dict[str, list[str] | None], fmt: str = "DEFAULT",
                 access_key: str | None = None, secret_key: str | None = None,
                 backoff_min_s: float = 1.0, backoff_max_s: float = 60.0, ping_interval_s: float = 30.0,
                 stale_after_s: float = 90.0, backfill: Callable[[str, int], Awaitable[list[Trade]]] | None = None,
                 open_timeout_s: float = 10.0) -> None:
        if fmt not in ("DEFAULT", "SIMPLE", "JSON_LIST", "SIMPLE_LIST"):
            raise ValueError(f"format must be DEFAULT|SIMPLE|JSON_LIST|SIMPLE_LIST, got {fmt!r}")
        self.url, self.types, self.fmt = url, types, fmt
        self._keys = (access_key, secret_key) if access_key and secret_key else None
        self.backoff_min_s, self.backoff_max_s = backoff_min_s, backoff_max_s
        self.ping_interval_s, self.stale_after_s = ping_interval_s, stale_after_s
        self.open_timeout_s = open_timeout_s
        self.backfill = backfill
        self.stats = WsStats()
        self.dedup = TradeDeduper()
        self._closed = False
        self._conn = None
        self.last_message_s = time.monotonic()

    def _headers(self) -> dict[str, str] | None:
        if self._keys is None:
            return None
        # Private handshake: access_key + nonce only, no query_hash (§7.1).
        return {"Authorization": f"Bearer {make_token(self._keys[0], self._keys[1])}"}

    async def resubscribe(self, types: dict[str, list[str] | None]) -> None:
        """Replace the subscription on the open connection (a reconnect sends the new one too); the full channel
        list is re-sent, which is safe whether Upbit replaces or adds (UPBIT_API.md, WebSocket)."""
        self.types = types
        if self._conn is not None:
            await self._conn.send(subscription(self.types, self.fmt))

    async def close(self) -> None:
        self._closed = True
        if self._conn is not None:
            await self._conn.close()

    def _deliver(self, obj: dict) -> list:
        try:
            ev = parse_message(obj)
        except MessageError as exc:
            self.stats.malformed += 1
            self.stats.errors.append(str(exc)[:200])
            return []
        if ev is None:
            return []
        if isinstance(ev, Trade):
            if not self.dedup.accept(ev):
                self.stats.duplicates = self.dedup.duplicates
                return []
            self.stats.out_of_order = self.dedup.out_of_order
        return [ev]

    async def _keepalive(self, conn) -> None:
        # Text PING well inside Upbit's 120 s idle timeout; the server answers {"status":"UP"}.
        while True:
            await asyncio.sleep(self.ping_interval_s)
            await conn.send("PING")
            if time.monotonic() - self.last_message_s > self.stale_after_s:
                self.stats.stale_reconnects += 1
                log.warning(json.dumps({"event": "ws_stale", "url": self.url}))
                await conn.close(code=4000, reason="stale")
                return

    async def _backfill(self) -> list:
        out: list = []
        if self.backfill is None:
            return out
        for market, sid in list(self.dedup.last_sid.items()):
            try:
                trades = await self.backfill(market, sid)
            except Exception as exc:  # a failed backfill must not stop the stream; it is counted
                self.stats.errors.append(f"backfill {market}: {exc}"[:200])
                continue
            for t in sorted(trades, key=lambda t: t.seq):
                if t.seq > sid and self.dedup.accept(t):
                    self.stats.backfilled += 1
                    out.append(t)
        return out

    async def events(self) -> AsyncIterator:
        """Parsed events forever (until close()): Trade, BookSnapshot, Candle, ticker/myOrder/myAsset dicts."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

        delay = self.backoff_min_s
        first = True
        while not self._closed:
            try:
                async with connect(self.url, additional_headers=self._headers(), open_timeout=self.open_timeout_s,
                                   ping_interval=20, ping_timeout=20, max_size=2 ** 22) as conn:
                    self._conn = conn
                    self.stats.connects += 1
                    if not first:
                        self.stats.reconnects += 1
                    await conn.send(subscription(self.types, self.fmt))
                    self.last_message_s = time.monotonic()
                    if not first:
                        for ev in await self._backfill():
                            yield ev
                    first = False
                    delay = self.backoff_min_s
                    pinger = asyncio.create_task(self._keepalive(conn))
                    try:
                        async for frame in conn:
                            self.stats.messages += 1
                            try:
                                objs = decode_frame(frame)
                            except MessageError as exc:
                                self.stats.malformed += 1
                                self.stats.errors.append(str(exc)[:200])
                                continue
                            if any("status" not in o for o in objs):
                                # Only data counts as liveness: a PING reply proves the socket, not the stream.
                                self.last_message_s = time.monotonic()
                            for obj in objs:
                                if "error" in obj and isinstance(obj["error"], dict):
                                    self.stats.errors.append(json.dumps(obj["error"])[:200])
                                    if obj["error"].get("name") == "INVALID_AUTH":
                                        raise AuthRefused("private WebSocket refused the token (INVALID_AUTH)")
                                for ev in self._deliver(obj):
                                    yield ev
                    finally:
                        pinger.cancel()
            except (ConnectionClosed, OSError, InvalidHandshake, asyncio.TimeoutError) as exc:
                if isinstance(exc, InvalidStatus) and exc.response.status_code in (401, 403):
                    raise AuthRefused(f"WebSocket handshake refused: {exc.response.status_code}") from exc
                # WARNING: a feed that cannot connect is the first thing a person must see (with the URL)
                log.warning(json.dumps({"event": "ws_disconnect", "url": self.url,
                                        "error": f"{type(exc).__name__}: {exc}"[:300]}, ensure_ascii=False))
            self._conn = None
            if self._closed:
                break
            await asyncio.sleep(delay)
            delay = min(self.backoff_max_s, delay * 2)
