"""Market flags of the live exchange: markets Upbit marks 투자유의 (market_event.warning) take no new entries."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

log = logging.getLogger("scalp.live")


def flags_from(rows: list[dict], watched: list[str]) -> dict[str, str]:
    """market -> reason for every watched market that market/all?is_details=true flags (or no longer lists)."""
    listed = {str(r.get("market")): r for r in rows if isinstance(r, dict)}
    out: dict[str, str] = {}
    for m in watched:
        row = listed.get(m)
        if row is None:
            if listed:                 # an answer without the market: delisted or suspended
                out[m] = "unlisted"
            continue
        event = row.get("market_event") or {}
        if event.get("warning"):
            out[m] = "warning"
    return out


class MarketFlags:
    """Reads market/all?is_details=true at start and every `check_s` in the background; `current` holds the
    last answer's flags. The start waits at most `start_wait_s` for its answer (a slow exchange must not eat
    the session's start; a late answer is taken by `step`). A failed read keeps the previous flags (logged)."""

    def __init__(self, ex: Any, markets: list[str], check_s: float, start_wait_s: float = 2.0) -> None:
        self.ex, self.markets, self.check_s = ex, list(markets), check_s
        self.current: dict[str, str] = {}
        self.checks = 0
        self._next_s = time.monotonic() + check_s
        self._fut: Any = ex._spawn(ex.rest.markets(is_details=True))
        ex._wait(self._fut, start_wait_s)
        self.step()

    def _set(self, rows: Any) -> None:
        flags = flags_from(rows if isinstance(rows, list) else [], self.markets)
        for m, why in flags.items():
            if self.current.get(m) != why:
                log.warning(json.dumps({"event": "market_flagged", "market": m, "reason": why}))
        self.current = flags
        self.checks += 1

    def step(self) -> None:
        """Harvest a finished background read; start the next one when due (engine thread, never blocks)."""
        fut = self._fut
        if fut is not None and fut.done():
            self._fut = None
            try:
                self._set(fut.result())
            except Exception as e:  # noqa: BLE001
                log.warning(json.dumps({"event": "market_check_failed", "error": f"{type(e).__name__}: {e}"[:300]}))
        now = time.monotonic()
        if self._fut is None and now >= self._next_s:
            self._next_s = now + self.check_s
            self._fut = self.ex._spawn(self.ex.rest.markets(is_details=True))
