"""An Upbit order as the live engine sees it: numbers copied from any endpoint's shape, `unknown` until known."""
from __future__ import annotations

import json
import logging
import math
import time
from datetime import datetime
from typing import Any

log = logging.getLogger("scalp.live")


def _f(x: Any) -> float:
    try:
        return float(x) if x is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def iso_ms(text: str | None) -> int | None:
    """Upbit `created_at` (`2021-04-05T18:17:03+09:00`, maybe with microseconds) -> epoch ms."""
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        return None


def _event(name: str, o: "LiveOrder", **more: Any) -> None:
    """One JSON line per exchange-side order step (DEBUG: the order manager's audit lines are the INFO ones)."""
    log.debug(json.dumps({"event": name, "identifier": o.identifier, "uuid": o.uuid or None, "market": o.market,
                         "side": o.side, "ord_type": o.ord_type, "state": o.state, "reason": o.reason or None,
                         **more}, ensure_ascii=False))


class LiveOrder:
    """An exchange order as the engine sees it. Its `state` only becomes final once every trade of the order
    was turned into a Fill, so the engine never sees a closed order whose fills it has not booked yet.
    `unknown` = a create whose outcome is not known yet (in flight, or its answer lost): looked up by
    identifier until found (then tracked) or proven never placed (then `rejected`)."""

    def __init__(self, d: dict) -> None:
        self.uuid = str(d.get("uuid") or "")
        self.identifier = d.get("identifier")
        self.market, self.side, self.ord_type = d.get("market", ""), d.get("side", ""), d.get("ord_type", "")
        self.state = "wait"
        self.remote_state = "wait"
        self.trade_uuids: set[str] = set()
        self.created_ms = iso_ms(d.get("created_at")) or 0
        self.sent_wall_s = time.time()
        self.reason = ""                     # why it is unknown / rejected
        self.create_fut: Any = None          # the create request still running in the background
        self.lookup_fut: Any = None          # the identifier lookup running in the background
        self.lookup_started_s = 0.0
        self.ended_s = math.inf              # monotonic time the create request ended (answer or not)
        self.next_lookup_s = 0.0
        self.lookups = 0
        self.apply(d)

    @classmethod
    def pending(cls, identifier: str, market: str, side: str, ord_type: str, volume: Any, price: Any) -> "LiveOrder":
        o = cls({"identifier": identifier, "market": market, "side": side, "ord_type": ord_type,
                 "volume": volume, "price": price, "remaining_volume": volume})
        o.state = o.remote_state = "unknown"
        o.started_s = time.monotonic()
        return o

    def apply(self, d: dict) -> None:
        """Copy the numbers of an Upbit order object (any endpoint's shape)."""
        self.remote_state = str(d.get("state") or self.remote_state)
        self.price = _f(d.get("price")) or None
        self.volume = _f(d.get("volume")) or None
        self.remaining_volume = _f(d.get("remaining_volume"))
        self.executed_volume = _f(d.get("executed_volume"))
        self.executed_funds = _f(d.get("executed_funds"))
        self.paid_fee = _f(d.get("paid_fee"))
        self.locked = _f(d.get("locked"))
        ex = self.executed_volume
        self.avg_price = self.executed_funds / ex if ex > 0 and self.executed_funds else _f(d.get("avg_price"))

    def __repr__(self) -> str:
        return f"LiveOrder({self.identifier} {self.market} {self.side} {self.ord_type} {self.state})"
