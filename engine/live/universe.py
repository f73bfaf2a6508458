"""A session's daily universe (paper/live): rescan at each UTC day boundary (09:00 KST), add the new markets to the
loop and the feed's subscription, stop entries in dropped markets and unsubscribe them once they hold nothing."""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable

log = logging.getLogger("scalp.live")
CHECK_EVERY_S = 1.0          # how often the day boundary / flat dropped markets are looked at (wall clock)


class SessionUniverse:
    """Owns the universe's live side: `start(now_ms)` = the first scan (the markets the session opens with),
    `tick(now_ms)` = each engine-thread turn: a rescan once the UTC day changed, and unsubscribing dropped markets
    whose position and orders are gone. `clock_ms` is injectable (tests force a day boundary)."""

    def __init__(self, universe: Any, rest: Any, feed: Any, bridge: Any, clock_ms: Callable[[], int] | None = None,
                 timeout_s: float = 30.0) -> None:
        self.universe, self.rest, self.feed, self.bridge = universe, rest, feed, bridge
        self.clock_ms = clock_ms or (lambda: int(time.time() * 1000))
        self.timeout_s = timeout_s
        self.loop: Any = None
        self.subscribed: list[str] = []
        self.scans: list[dict] = []
        self._next_check = 0.0

    @classmethod
    def of(cls, cfg: Any, universe: Any, feed: Any, bridge: Any, clock_ms: Callable[[], int] | None = None):
        """None unless the universe rescans live (liquidity) and the feed can change its subscription."""
        if universe is None or not hasattr(universe, "rescan") or not hasattr(feed, "resubscribe"):
            return None
        import registry
        url = getattr(getattr(feed, "p", None), "rest_url", None)
        rest = registry.build("exchange", {"component": "upbit", **({"base_url": url} if url else {})},
                              path="feed.rest_url")
        return cls(universe, rest, feed, bridge, clock_ms)

    def start(self) -> list[str]:
        """The first scan: the session's opening markets."""
        now = self.clock_ms()
        picked = self.bridge.call(self.universe.rescan(self.rest, now), self.timeout_s)
        self._log(now, picked, [], [])
        self.subscribed = list(picked)
        return list(picked)

    def _busy(self, m: str) -> bool:
        """A position or a working order in `m`: it stays subscribed (and managed) until both are gone."""
        ex = self.loop.execution
        return ex.positions[m].volume > 0 or bool(ex.om.open and ex.om.working(m))

    def tick(self) -> None:
        if self.loop is None or time.monotonic() < self._next_check:
            return
        self._next_check = time.monotonic() + CHECK_EVERY_S
        now = self.clock_ms()
        before = set(self.universe.live_set or ())
        added, dropped = [], []
        if self.universe.due(now):
            try:
                picked = set(self.bridge.call(self.universe.rescan(self.rest, now), self.timeout_s))
            except Exception as e:  # noqa: BLE001  a failed scan keeps yesterday's set; retried next check
                log.warning(json.dumps({"event": "universe_scan_failed", "error": f"{type(e).__name__}: {e}"[:300]}))
                return
            added, dropped = sorted(picked - before), sorted(before - picked)
            for m in added:
                self.loop.add_market(m)
            self._log(now, sorted(picked), added, dropped)
        keep = set(self.universe.live_set or ()) | {m for m in self.subscribed if self._busy(m)}
        if sorted(keep) != sorted(self.subscribed):
            self.bridge.call(self.feed.resubscribe(sorted(keep)), self.timeout_s)
            log.info(json.dumps({"event": "universe_subscription", "markets": sorted(keep),
                                 "held_dropped": sorted(keep - set(self.universe.live_set or ()))}))
            self.subscribed = sorted(keep)

    def _log(self, now: int, picked: list[str], added: list[str], dropped: list[str]) -> None:
        row = {"event": "universe_scan", "ts_ms": now, "markets": picked, "added": added, "dropped": dropped,
               "scanned": len(self.universe.last_scan),
               "classes": {s.market: ("new" if s.new_listing else s.tier) for s in self.universe.last_scan
                           if s.selected}}
        self.scans.append(row)
        log.info(json.dumps(row))

    def close(self) -> None:
        try:
            self.bridge.call(self.rest.close(), 5.0)
        except Exception:  # noqa: BLE001  closing a client that never connected
            pass
