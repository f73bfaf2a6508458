"""Alert delivery off the engine thread: one lane (thread + bounded queue + token bucket) per channel, retries
with exponential backoff (429 Retry-After honoured), bursts coalesced, overflow dropped and counted."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from typing import Any, Callable

from components.alert._delivery import LEVELS, Attempt, scrub
from engine.alerts.events import Alert
from engine.i18n import t

log = logging.getLogger("scalp.alert")


class TokenBucket:
    """`burst` messages at once, then `rate_per_s` sustained. Only the lane's thread touches it."""

    def __init__(self, rate_per_s: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate_per_s, self.burst, self.clock = rate_per_s, float(burst), clock
        self.tokens, self.at_s = float(burst), clock()

    def wait_s(self) -> float:
        """Seconds until one token is there (0 = now)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at_s) * self.rate_per_s)
        self.at_s = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate_per_s

    def take(self) -> None:
        self.tokens -= 1.0


class Lane:
    """One channel's queue and thread. `put` never blocks (a lock held for an append); the thread waits for
    the rate limit, coalesces what queued meanwhile into one message, and retries failed deliveries."""

    def __init__(self, name: str, channel: Any, s: Any) -> None:
        self.name, self.channel, self.s = name, channel, s
        self.bucket = TokenBucket(s.rate_per_min / 60.0, s.burst)
        self.q: deque[Alert] = deque()
        self.cv = threading.Condition()
        self.kick = threading.Event()             # wakes a sleeping lane when the session closes
        self.closing, self.deadline_s = False, 0.0
        self.unreported_drops = 0
        self.stats = {"queued": 0, "sent": 0, "failed": 0, "dropped": 0, "coalesced": 0, "retries": 0}
        self.thread = threading.Thread(target=self._run, name=f"scalp-alert-{name}", daemon=True)

    def wants(self, level: str) -> bool:
        fn = getattr(self.channel, "wants", None)
        return True if fn is None else bool(fn(level))

    def put(self, alert: Alert) -> bool:
        with self.cv:
            if self.closing:
                return False
            if len(self.q) >= self.s.queue_size:
                self.stats["dropped"] += 1
                self.unreported_drops += 1
                return False
            self.q.append(alert)
            self.stats["queued"] += 1
            self.cv.notify()
        return True

    def close(self, deadline_s: float) -> None:
        with self.cv:
            self.closing, self.deadline_s = True, deadline_s
            self.cv.notify()
        self.kick.set()

    # ---- the lane's thread ------------------------------------------------------------------------
    def _sleep(self, wait_s: float) -> bool:
        """Wait (rate limit, backoff); False when the session's drain time is over."""
        if self.closing:
            left = self.deadline_s - time.monotonic()
            if wait_s > left:
                time.sleep(max(left, 0.0))
                return False
            time.sleep(wait_s)
            return True
        self.kick.wait(wait_s)
        return True

    def _run(self) -> None:
        while True:
            with self.cv:
                while not self.q and not self.closing:
                    self.cv.wait()
                if not self.q:
                    return
            if self.closing and time.monotonic() >= self.deadline_s:
                return self._give_up()
            while (wait := self.bucket.wait_s()) > 0:
                if not self._sleep(wait):
                    return self._give_up()
            # tokens to spare: one alert per message; the last token of a burst takes all that waits
            n = 1 if self.bucket.tokens >= 2.0 else self.s.max_batch
            with self.cv:
                batch = [self.q.popleft() for _ in range(min(len(self.q), n))]
                dropped, self.unreported_drops = self.unreported_drops, 0
            self.bucket.take()
            self._deliver(self._compose(batch, dropped))

    def _compose(self, batch: list[Alert], dropped: int) -> Alert:
        note = [t("alerts.dropped", n=dropped)] if dropped else []
        if len(batch) == 1:
            one = batch[0]
            return one if not note else Alert(one.event, one.level, "\n".join([one.message, *note]), one.fields,
                                              one.ts_ms)
        self.stats["coalesced"] += len(batch) - 1
        level = max((a.level for a in batch), key=lambda lv: LEVELS.get(lv, 1))
        lines = [t("alerts.coalesced", n=len(batch))] + [f"- {a.message}" for a in batch] + note
        return Alert("coalesced", level, "\n".join(lines), {}, batch[-1].ts_ms)

    def _attempt(self, alert: Alert) -> Attempt:
        try:
            fn = getattr(self.channel, "attempt", None)
            if fn is not None:
                return fn(alert.message, alert.level, alert.fields)
            return Attempt(bool(self.channel.send(alert.message, level=alert.level, fields=alert.fields)),
                           error="not sent")      # a plugin channel with only send(): it retried itself
        except Exception as e:  # noqa: BLE001  a channel fault is counted and logged, never raised
            return Attempt(False, retry=True, error=type(e).__name__)

    def _deliver(self, alert: Alert) -> None:
        delay_s, s = self.s.backoff_s, self.s
        tries = 0
        while True:
            res = self._attempt(alert)
            tries += 1
            if res.ok:
                self.stats["sent"] += 1
                return
            if not res.retry or tries > s.retries:
                break
            wait = res.retry_after_s if res.retry_after_s is not None else delay_s
            delay_s = min(delay_s * 2, s.backoff_max_s)
            self.stats["retries"] += 1
            if not self._sleep(min(wait, s.backoff_max_s)):
                break
        self.stats["failed"] += 1
        log.warning(json.dumps({"event": "alert_failed", "channel": self.name, "alert": alert.event,
                                "error": scrub(res.error)[:200], "attempts": tries}))

    def _give_up(self) -> None:
        with self.cv:
            left = len(self.q) + self.unreported_drops
            self.q.clear()
        if left:
            self.stats["dropped"] += left
            log.warning(json.dumps({"event": "alerts_undelivered", "channel": self.name, "alerts": left}))


class Dispatcher:
    """Fans each alert out to the lanes of the channels that want its level; `post` returns at once."""

    def __init__(self, channels: dict[str, Any], s: Any) -> None:
        self.s = s
        self.lanes = [Lane(name, ch, s) for name, ch in channels.items()]
        self.started = False

    def start(self) -> "Dispatcher":
        if not self.started:
            self.started = True
            for lane in self.lanes:
                lane.thread.start()
        return self

    def post(self, alert: Alert) -> None:
        for lane in self.lanes:
            if lane.wants(alert.level):
                lane.put(alert)

    def close(self, drain_s: float | None = None) -> dict:
        """Deliver what is queued within `drain_s` (default alerting.drain_s), then stop; returns the stats."""
        deadline = time.monotonic() + (self.s.drain_s if drain_s is None else drain_s)
        for lane in self.lanes:
            lane.close(deadline)
        for lane in self.lanes:
            if lane.thread.is_alive():
                lane.thread.join(max(0.0, deadline - time.monotonic()) + 0.2)
        stats = self.stats()
        log.info(json.dumps({"event": "alerts_closed", "channels": stats}))
        return stats

    def stats(self) -> dict:
        return {lane.name: dict(lane.stats) for lane in self.lanes}
