"""WebSocket side of the server: sessions, subscriptions (DEFAULT/SIMPLE/LIST), PING, snapshots, faults."""
from __future__ import annotations

import asyncio
import json
import random
import time

from components.types.upbit.auth import AuthError, verify_token
from components.types.upbit.messages import to_simple

PUBLIC_TYPES = {"ticker", "trade", "orderbook"}
PRIVATE_TYPES = {"myOrder", "myAsset"}


def _error(name: str, message: str) -> dict:
    return {"error": {"name": name, "message": message}}


class Session:
    """One client connection: its subscriptions, format and outgoing queue."""

    def __init__(self, ws, account: str | None) -> None:
        self.ws, self.account = ws, account
        self.subs: dict[str, dict] = {}      # type -> {"codes": set|None, "levels": int}
        self.fmt = "DEFAULT"
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=10_000)
        self.last_rx = time.monotonic()
        self.last_tx = time.monotonic()

    def wants(self, kind: str, code: str | None) -> bool:
        sub = self.subs.get(kind)
        if sub is None:
            return False
        return sub["codes"] is None or code in sub["codes"]

    def put(self, msg: dict) -> None:
        try:
            self.queue.put_nowait(msg)
        except asyncio.QueueFull:
            pass  # a client that cannot keep up loses messages, as on the real exchange


class Hub:
    """Fan-out of market and private events to sessions."""

    def __init__(self, state) -> None:
        self.state = state
        self.sessions: set[Session] = set()
        self.rng = random.Random(state.cfg.faults.seed + 1)

    def publish(self, kind: str, code: str | None, msg: dict, account: str | None = None) -> None:
        for s in list(self.sessions):
            if account is not None and s.account != account:
                continue
            if s.wants(kind, code):
                s.put(msg)

    def encode(self, s: Session, msg: dict) -> bytes:
        obj = to_simple(msg) if s.fmt in ("SIMPLE", "SIMPLE_LIST") else msg
        if s.fmt.endswith("_LIST"):
            obj = [obj]
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        if self.state.cfg.faults.malformed_frame_rate and self.rng.random() < self.state.cfg.faults.malformed_frame_rate:
            data = data[: max(1, len(data) // 2)]
        return data

    async def _sender(self, s: Session) -> None:
        while True:
            msg = await s.queue.get()
            await s.ws.send_bytes(self.encode(s, msg))
            s.last_tx = time.monotonic()

    def _subscribe(self, s: Session, req: list) -> list[dict]:
        """Apply a request array; returns messages to send now (errors, snapshots, list replies)."""
        if not isinstance(req, list) or not req:
            return [_error("WRONG_FORMAT", "request must be a JSON array")]
        items = [x for x in req if isinstance(x, dict)]
        if any(x.get("method") == "LIST_SUBSCRIPTIONS" for x in items):
            ticket = next((x.get("ticket") for x in items if "ticket" in x), None)
            res = [{"type": k, "codes": sorted(v["codes"]) if v["codes"] else []} for k, v in s.subs.items()]
            return [{"method": "LIST_SUBSCRIPTIONS", "result": res, "ticket": ticket}]
        if not any("ticket" in x for x in items):
            return [_error("NO_TICKET", "ticket is required")]
        types = [x for x in items if "type" in x]
        if not types:
            return [_error("NO_TYPE", "type is required")]
        for x in items:
            if "format" in x:
                fmt = str(x["format"]).upper()
                if fmt not in ("DEFAULT", "SIMPLE", "JSON_LIST", "SIMPLE_LIST"):
                    return [_error("WRONG_FORMAT", f"unknown format {x['format']}")]
                s.fmt = fmt  # connection-wide (§7.2)
        new: dict[str, dict] = {}
        out: list[dict] = []
        for x in types:
            kind = x["type"]
            codes = x.get("codes")
            if kind in PRIVATE_TYPES:
                if s.account is None:
                    return [_error("INVALID_AUTH", "private types need the private endpoint and a token")]
                if kind == "myAsset" and codes:
                    return [_error("WRONG_FORMAT", "codes is not allowed for myAsset")]
                new[kind] = {"codes": set(codes) if codes else None, "levels": 30}
                continue
            if kind not in PUBLIC_TYPES:
                return [_error("INVALID_PARAM", f"unsupported type {kind}")]
            if not codes:
                return [_error("NO_CODES", "codes is required")]
            markets, levels = set(), 30
            for c in codes:
                base, _, n = str(c).upper().partition(".")
                markets.add(base)
                if n:
                    levels = int(n) if n.isdigit() and int(n) in (1, 5, 15, 30) else 30
            new[kind] = {"codes": markets, "levels": levels}
            only_rt = x.get("is_only_realtime", x.get("isOnlyRealtime", False))
            if not only_rt:
                out += self._snapshots(kind, markets, levels)
            if x.get("is_only_snapshot", x.get("isOnlySnapshot", False)):
                new.pop(kind)
        s.subs = new  # a new request replaces the previous set (UNCERTAIN upstream; ccxt resends all)
        return out

    def _snapshots(self, kind: str, markets: set, levels: int) -> list[dict]:
        m = self.state.market
        out = []
        for code in sorted(markets):
            if kind == "ticker":
                msg = m.ticker_msg(code, "SNAPSHOT")
            elif kind == "orderbook":
                msg = m.book_msg(code, "SNAPSHOT", levels)
            else:
                hist = m.stats[code].history if code in m.stats else ()
                msg = m.trade_msg(hist[-1], "SNAPSHOT") if hist else None
            if msg is not None:
                out.append(msg)
        return out

    async def serve(self, ws, private: bool) -> None:
        account = None
        await ws.accept()
        if private:
            st = self.state
            try:
                claims = verify_token(ws.headers.get("authorization"), st.secrets, st.nonces)
                account = claims["access_key"]
            except AuthError as exc:
                await ws.send_bytes(json.dumps(_error("INVALID_AUTH", exc.message), ensure_ascii=False).encode())
                # Give the client a moment to read the error before the close frame races it.
                try:
                    await asyncio.wait_for(ws.receive(), 1.0)
                except Exception:  # noqa: BLE001  timeout or the client went away: close either way
                    pass
                try:
                    await ws.close(code=1008)
                except Exception:  # noqa: BLE001
                    pass
                return
        s = Session(ws, account)
        self.sessions.add(s)
        sender = asyncio.create_task(self._sender(s))
        opened = time.monotonic()
        drop_s = self.state.cfg.faults.ws_drop_every_s
        idle_s = self.state.cfg.ws_idle_timeout_s
        try:
            while True:
                timeout = 1.0
                try:
                    msg = await asyncio.wait_for(ws.receive(), timeout)
                except asyncio.TimeoutError:
                    now = time.monotonic()
                    if drop_s and now - opened >= drop_s:
                        break  # fault injection: drop the connection
                    if now - max(s.last_rx, s.last_tx) > idle_s:
                        break  # idle timeout like Upbit's ~120 s
                    continue
                if msg["type"] == "websocket.disconnect":
                    break
                s.last_rx = time.monotonic()
                text = msg.get("text")
                if text is None and msg.get("bytes") is not None:
                    text = msg["bytes"].decode("utf-8", "replace")
                if text is None:
                    continue
                if text.strip() == "PING":
                    s.put({"status": "UP"})
                    continue
                try:
                    req = json.loads(text)
                except ValueError:
                    s.put(_error("WRONG_FORMAT", "request is not JSON"))
                    continue
                for out in self._subscribe(s, req):
                    s.put(out)
                if drop_s and time.monotonic() - opened >= drop_s:
                    break
        except Exception:  # noqa: BLE001  a broken socket ends only this session
            pass
        finally:
            self.sessions.discard(s)
            sender.cancel()
            try:
                await ws.close()
            except Exception:  # noqa: BLE001
                pass
