"""Market flags of a paper/live session: Upbit's market/all flags (warning, unlisted) and the trading state of
the feed's tickers (delisted, suspended); a flagged market takes no new entries."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

log = logging.getLogger("scalp.live")
_NONE: dict[str, str] = {}      # no REST flag source: one empty map, so `current` can tell nothing changed


def flags_from(rows: list[dict], watched: list[str], cautions: tuple[str, ...] = ()) -> dict[str, str]:
    """market -> reason for every watched market that market/all?is_details=true flags (or no longer lists):
    `warning` (투자유의), `unlisted`, or `caution:<KEY>` for the first of `cautions` (live.refuse_cautions) set."""
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
        elif cautions:
            caution = event.get("caution") or {}
            hit = [k for k in cautions if isinstance(caution, dict) and caution.get(k) is True]
            if hit:
                out[m] = f"caution:{hit[0]}"
    return out


class MarketFlags:
    """Reads market/all?is_details=true at start and every `check_s` in the background; `current` holds the
    last answer's flags. The start waits at most `start_wait_s` for its answer (a slow exchange must not eat
    the session's start; a late answer is taken by `step`). A failed read keeps the previous flags (logged).
    `cautions`: the market_event.caution kinds that also take a market's entries away (live.refuse_cautions)."""

    def __init__(self, ex: Any, markets: list[str], check_s: float, start_wait_s: float = 2.0,
                 cautions: tuple[str, ...] = ()) -> None:
        self.ex, self.markets, self.check_s, self.cautions = ex, list(markets), check_s, tuple(cautions)
        self.current: dict[str, str] = {}
        self.checks = 0
        self._next_s = time.monotonic() + check_s
        self._fut: Any = ex._spawn(ex.rest.markets(is_details=True))
        ex._wait(self._fut, start_wait_s)
        self.step()

    def _set(self, rows: Any) -> None:
        flags = flags_from(rows if isinstance(rows, list) else [], self.markets, self.cautions)
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


class _PublicMarkets:
    """What MarketFlags needs of an exchange, for paper: the public REST host (no keys) on the session's bridge."""

    def __init__(self, rest: Any, bridge: Any) -> None:
        self.rest, self.bridge = rest, bridge

    def _spawn(self, coro: Any) -> Any:
        return self.bridge.spawn(coro)

    @staticmethod
    def _wait(fut: Any, wait_s: float) -> bool:
        from engine.live.bridge import wait_done
        return wait_done(fut, wait_s)


class SessionFlags:
    """Every market flag of a paper/live session, one map for the execution's entry check: the exchange's
    market/all flags (warning, unlisted: live reads them through LiveExchange; paper runs the same check
    against the feed's public REST host, since paper trades live data) merged with the trading state the
    feed's tickers carry (delisted, suspended: components/types/upbit/market_state.py). A ticker flag wins over a
    REST one (it is the newer and stronger word); a ticker that lifts its flag lets entries go again."""

    def __init__(self, rest_flags: Any = None, own: MarketFlags | None = None, rest: Any = None) -> None:
        if rest_flags is None and own is not None:
            rest_flags = lambda: own.current     # noqa: E731  read at call time: `current` is replaced
        self._rest_flags = rest_flags            # () -> {market: reason}, or None
        self._own, self._rest = own, rest        # paper: its own check and REST client (stepped and closed here)
        self._feed: dict[str, str] = {}          # written on the feed's thread: replaced, never mutated
        self._seen: dict[str, str] = {}
        self._merged_of: tuple = (None, None)    # the (REST, ticker) maps `_merged` was built from
        self._merged: dict[str, str] = {}

    @classmethod
    def attach(cls, loop: Any, cfg: Any, mode: str, ex: Any, bridge: Any, check_s: float,
               cautions: tuple[str, ...] = ()) -> "SessionFlags":
        """Build the session's flags and make them the execution's flag source (live: the exchange's REST
        flags; paper: a market/all check of its own on `feed.rest_url`)."""
        from engine.loop import plain
        if mode == "live":
            flags = cls(getattr(ex, "market_flags", None))
        else:
            url = (plain(cfg.get("feed")) or {}).get("rest_url")
            if not url:
                log.warning(json.dumps({"event": "market_check_off", "why": "feed.rest_url not set"}))
                flags = cls()
            else:
                import registry
                rest = registry.build("exchange", {"component": "upbit", "base_url": url}, path="feed.rest_url")
                flags = cls(own=MarketFlags(_PublicMarkets(rest, bridge), list(loop.markets), check_s,
                                                  cautions=cautions), rest=rest)
        loop.execution.flag_source(flags.current)
        return flags

    def on_status(self, status: Any) -> None:
        """A MarketStatus from the feed (feed thread): its flag replaces the market's previous ticker flag."""
        why = status.flag
        if self._feed.get(status.market, "") == why:
            return
        feed = dict(self._feed)
        if why:
            feed[status.market] = why
        else:
            feed.pop(status.market, None)
        self._feed = feed
        log.log(logging.WARNING if why else logging.INFO, json.dumps(
            {"event": "market_state", "market": status.market, "flag": why or None,
             "market_state": status.market_state, "delisting_date": status.delisting_date,
             "is_trading_suspended": status.is_trading_suspended, "ts_ms": status.ts_ms}))

    def current(self) -> dict[str, str]:
        """market -> why it takes no new entries now (read-only: the same map is handed out until one of the
        two sources is replaced, so an entry check per decision costs no copy)."""
        rest = self._rest_flags() if self._rest_flags is not None else _NONE
        if rest is not self._merged_of[0] or self._feed is not self._merged_of[1]:
            self._merged_of = (rest, self._feed)
            self._merged = {**rest, **self._feed} if self._feed else dict(rest)
        return self._merged

    def step(self, execution: Any, ts_ms: int) -> None:
        """Engine thread, every tick: the paper check's background read; a changed flag set reaches the
        execution's record (summary, alerts, metrics) at once, not only at the next entry attempt."""
        if self._own is not None:
            self._own.step()
        now = self.current()
        if now is self._seen:
            return                               # the same merged map: no source was replaced (every tick)
        changed, self._seen = now != self._seen, now
        if changed:
            execution.market_flag("", ts_ms + 1)     # seen after the event at ts_ms: in force from the next

    def close(self, bridge: Any) -> None:
        if self._rest is not None:
            try:
                bridge.call(self._rest.close(), 2.0)
            except Exception:  # noqa: BLE001  the session is over: a client that will not close is dropped
                pass
