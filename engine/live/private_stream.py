"""Private myOrder stream of the live exchange: fills and final states pushed by Upbit, REST polling as the net."""
from __future__ import annotations

import json
import logging
import time
from collections import deque
from typing import Any

from components.types.orders import Fill
from engine.live.order import _event, _f

log = logging.getLogger("scalp.live")
FINAL = ("done", "cancel")
EARLY_MAX = 1_000          # messages kept for orders whose create answer has not come back yet


def private_url(base_url: str) -> str:
    """The private WebSocket of a REST host: https://api.upbit.com -> wss://api.upbit.com/websocket/v1/private."""
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://"):]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://"):]
    return base + "/websocket/v1/private"


class PrivateStream:
    """Subscribes to `myOrder` on the private WebSocket (JWT handshake) on the bridge loop and queues every
    message for the engine thread (`drain`). It reconnects by itself (backoff); `up` says whether a
    connection is open now — while it is not, the exchange polls every order over REST."""

    def __init__(self, rest: Any, bridge: Any, backoff_max_s: float = 5.0) -> None:
        from components.types.upbit.ws import UpbitWs
        self.url = private_url(rest.p.base_url)
        access, secret = rest._access.get_secret_value(), rest._secret.get_secret_value()
        # A private stream is silent until an order changes: silence is normal, never a reason to reconnect.
        self.ws = UpbitWs(self.url, {"myOrder": None}, access_key=access, secret_key=secret, backoff_min_s=0.2,
                          backoff_max_s=backoff_max_s, stale_after_s=10.0 ** 9)
        self.inbox: deque = deque()            # appended on the bridge thread, popped on the engine thread
        self.messages = 0
        self.error = ""
        self._fut = bridge.spawn(self._run())
        self._bridge = bridge

    async def _run(self) -> None:
        try:
            async for ev in self.ws.events():
                if isinstance(ev, dict) and ev.get("type") == "myOrder":
                    self.messages += 1
                    self.inbox.append(ev)
        except Exception as e:  # noqa: BLE001  refused token or a bug: polling carries on, the reason is logged
            self.error = f"{type(e).__name__}: {e}"[:300]
            log.warning(json.dumps({"event": "private_stream_failed", "url": self.url, "error": self.error}))

    @property
    def up(self) -> bool:
        return self.ws._conn is not None and not self._fut.done()

    @property
    def reconnects(self) -> int:
        return self.ws.stats.reconnects

    def drain(self) -> list[dict]:
        out = []
        while self.inbox:
            out.append(self.inbox.popleft())
        return out

    def close(self) -> None:
        try:
            self._bridge.call(self.ws.close(), 2.0)
        except Exception:  # noqa: BLE001  the connection may already be gone
            pass
        self._fut.cancel()


def apply_my_order(ex: Any, d: dict) -> None:
    """One myOrder message on the engine thread: a new trade (by trade uuid, so a fill the REST poll booked
    is never booked again) becomes a Fill; a final state is taken once every trade of the order is booked."""
    uid = str(d.get("uuid") or "")
    o = ex.orders.get(uid)
    if o is None:                      # its create answer is still on its way: replayed by `_known`
        if uid and len(ex._early) < EARLY_MAX:
            ex._early.setdefault(uid, []).append(d)
        return
    state = str(d.get("state") or "")
    if _f(d.get("executed_volume")) >= o.executed_volume:      # never roll numbers back to an older message
        o.executed_volume = _f(d.get("executed_volume"))
        o.executed_funds = _f(d.get("executed_funds"))
        o.remaining_volume = _f(d.get("remaining_volume"))
        if o.executed_volume > 0 and o.executed_funds:
            o.avg_price = o.executed_funds / o.executed_volume
    if state == "trade":
        tu = str(d.get("trade_uuid") or "")
        if not tu or tu in o.trade_uuids:
            return
        px, vol = _f(d.get("price")), _f(d.get("volume"))
        fee = _f(d.get("trade_fee")) if d.get("trade_fee") is not None else px * vol * ex.costs.fee_rate
        ts = int(d.get("trade_timestamp") or d.get("timestamp") or time.time() * 1000)
        o.trade_uuids.add(tu)
        o.paid_fee += fee              # the next REST absorb attributes only fees beyond the booked ones
        ex._fills.append(Fill(o.market, o.uuid, o.side, px, vol, fee, ts, bool(d.get("is_maker"))))
        ex.fills_by_stream += 1
        ex._bal_dirty = True
    elif state in FINAL and o.state not in FINAL:
        o.remote_state = state
        if len(o.trade_uuids) >= int(_f(d.get("trades_count"))):
            o.state = state
            ex._bal_dirty = True
            _event("order_" + state, o, via="stream")
