"""Client-side rate limiter: one sliding-window budget per Upbit rate-limit group (UPBIT_API.md §5)."""
from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Callable

# Group -> (requests, window_s). The order group is 8/s until 2026-08-21, 12/s after (configurable).
DEFAULT_LIMITS: dict[str, tuple[int, float]] = {
    "market": (10, 1.0), "candle": (10, 1.0), "trade": (10, 1.0), "ticker": (10, 1.0), "orderbook": (10, 1.0),
    "default": (30, 1.0), "order": (12, 1.0), "order-test": (8, 1.0), "order-cancel-all": (1, 2.0),
}
# Real headers say `candles` although the docs name the group `candle` (§5.1).
GROUP_ALIASES = {"candles": "candle"}
_HEADER = re.compile(r"group=([A-Za-z\-_]+)(?:;\s*min=(\d+))?;\s*sec=(\d+)")


def parse_remaining_req(value: str | None) -> tuple[str, int] | None:
    """`group=default; min=1800; sec=29` -> ("default", 29); `min` is deprecated and may be missing."""
    if not value:
        return None
    m = _HEADER.search(value)
    if not m:
        return None
    group = GROUP_ALIASES.get(m.group(1), m.group(1))
    return group, int(m.group(3))


class RateLimiter:
    """Never lets more than `limit` requests of a group start inside any `window_s` window.

    A sliding window (not a refilling bucket) because Upbit counts per second: a full bucket plus a
    second's refill would allow twice the rate across a second boundary. The server's `Remaining-Req`
    header can only tighten the local budget; 429 backs the group off exponentially; 418 blocks all."""

    def __init__(self, limits: dict[str, tuple[int, float]] | None = None, order_per_s: int | None = None,
                 clock: Callable[[], float] = time.monotonic, backoff_max_s: float = 60.0) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        if order_per_s is not None:
            self.limits["order"] = (int(order_per_s), 1.0)
        self.clock = clock
        self.backoff_max_s = backoff_max_s
        self._grants: dict[str, deque[float]] = {g: deque() for g in self.limits}
        self._paused_until: dict[str, float] = {}
        self._strikes: dict[str, int] = {}
        self.blocked_until = 0.0

    def _limit(self, group: str) -> tuple[int, float]:
        return self.limits.get(group) or self.limits["default"]

    def reserve(self, group: str, now: float | None = None) -> float:
        """Book the next slot of `group`; returns the absolute clock time at which the request may start."""
        now = self.clock() if now is None else now
        limit, window = self._limit(group)
        grants = self._grants.setdefault(group, deque())
        while grants and grants[0] <= now - window and len(grants) > limit:
            grants.popleft()
        t = max(now, self._paused_until.get(group, 0.0), self.blocked_until)
        if grants:
            t = max(t, grants[-1])
        if len(grants) >= limit:
            t = max(t, grants[-limit] + window)
        grants.append(t)
        while len(grants) > limit:
            grants.popleft()
        return t

    async def acquire(self, group: str) -> None:
        start = self.reserve(group)
        delay = start - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

    def observe(self, header: str | None, now: float | None = None) -> None:
        """Tighten the group's budget to what the server says is left in this second."""
        parsed = parse_remaining_req(header)
        if parsed is None:
            return
        group, left = parsed
        now = self.clock() if now is None else now
        limit, window = self._limit(group)
        grants = self._grants.setdefault(group, deque())
        used = sum(1 for g in grants if g > now - window)
        # Phantom grants at `now` stand for calls we did not make (other processes on the same key).
        for _ in range(max(0, (limit - used) - left)):
            grants.append(max(now, grants[-1] if grants else now))
            while len(grants) > limit:
                grants.popleft()
        self._strikes[group] = 0 if left > 0 else self._strikes.get(group, 0)

    def on_429(self, group: str, now: float | None = None) -> float:
        """Back the group off (1 s, 2 s, 4 s ... capped); returns the pause in seconds."""
        now = self.clock() if now is None else now
        strikes = self._strikes.get(group, 0) + 1
        self._strikes[group] = strikes
        pause = min(self.backoff_max_s, 2.0 ** (strikes - 1))
        self._paused_until[group] = now + pause
        return pause

    def on_418(self, block_s: float = 60.0, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        self.blocked_until = max(self.blocked_until, now + block_s)

    def is_blocked(self, now: float | None = None) -> bool:
        return (self.clock() if now is None else now) < self.blocked_until
