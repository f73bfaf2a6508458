"""Paper/live session: live feed -> the one EngineLoop -> sim (paper) or Upbit (live); clean stop on signal/duration."""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import registry
from components.types import metric_names as MN
from engine.live.bridge import AsyncBridge
from engine.live.guard import OWN_PREFIX, OrderGuard, is_own
from engine.settings import LiveSettings, settings_of
from engine.loop import EngineLoop, plain
from engine.loop.lifecycle import build_exchange, close_run, open_run, run_meta
from engine.models.swap import maybe_swap_model

log = logging.getLogger("scalp.live")


@dataclass
class SessionResult:
    """What a finished paper/live session hands back."""
    run_id: int | None
    mode: str
    status: str
    events: int
    summary: dict
    loop: EngineLoop
    swept_at_start: list = field(default_factory=list)
    cancelled_at_stop: list = field(default_factory=list)
    open_after_stop: list = field(default_factory=list)
    unknown_at_stop: list = field(default_factory=list)    # identifiers whose final state shutdown could not confirm
    resumed: Any = None                                   # engine.live.resume.Resumed: what the start rebuilt
    reconcile: dict = field(default_factory=dict)
    error: str = ""
    cause: str = ""                     # "feed" | "exchange" | "" (engine): picks the command's exit code
    daily: Any = None                   # engine.live.universe.SessionUniverse of a daily universe (its scans)


def failure_cause(exc: BaseException) -> str:
    """"exchange" for Upbit refusals and network failures, "" for anything else (an engine fault)."""
    from components.types.upbit.errors import UpbitError
    return "exchange" if isinstance(exc, (UpbitError, ConnectionError, TimeoutError, OSError)) else ""


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def build_paper_exchange(cfg: Any) -> Any:
    """The simulated exchange paper mode fills against: cfg.exchange if it is `sim`, else a default sim."""
    node = plain(cfg.get("exchange")) or {}
    return build_exchange(cfg, node if node.get("component") == "sim" else {"component": "sim"})


def build_live_client(cfg: Any) -> Any:
    """The async REST client of cfg.exchange (must be a real exchange client, e.g. `upbit`)."""
    rest = registry.build("exchange", plain(cfg.exchange), path="exchange")
    if not inspect.iscoroutinefunction(getattr(rest, "create_order", None)):
        from engine.i18n import t
        raise registry.ConfigError([("exchange", t("live.need_real_exchange",
                                                   component=(plain(cfg.exchange) or {}).get("component")))])
    return rest


def build_live_feed(cfg: Any) -> Any:
    feed = registry.build("feed", plain(cfg.feed), path="feed")
    if not inspect.isasyncgenfunction(getattr(feed, "events", None)):
        from engine.i18n import t
        raise registry.ConfigError([("feed", t("live.need_live_feed", component=(plain(cfg.feed) or {}).get("component")))])
    return feed


class _ApiWindow:
    """api_calls / api_error_rate over a sliding wall-clock window, from the exchange's counters."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.samples: deque = deque()

    def publish(self, ex: Any, metrics: Any) -> None:
        now = time.monotonic()
        self.samples.append((now, ex.api_calls, ex.api_errors))
        while self.samples and self.samples[0][0] < now - self.window_s:
            self.samples.popleft()
        t0, c0, e0 = self.samples[0]
        calls, errs = ex.api_calls - c0, ex.api_errors - e0
        metrics.set(MN.API_CALLS, calls)
        metrics.set(MN.API_ERROR_RATE, errs / calls if calls else 0.0)
        offset = getattr(ex, "clock_offset_ms", None)          # #15: exchange clock from REST Date headers
        if offset is not None:
            metrics.set(MN.CLOCK_OFFSET_MS, offset)


def _install_signals(stop: threading.Event) -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        old[sig] = signal.signal(sig, lambda *_: stop.set())
    from engine.control import signals as control_signals    # SIGHUP: read control.reload_file now
    old.update(control_signals.install())
    return old


def run_session(cfg: Any, mode: str, *, store: Any = None, stop: threading.Event | None = None,
                duration_s: float = 0.0, settings: LiveSettings | None = None, rest: Any = None,
                handle_signals: bool = False, max_events: int = 0, clock_ms: Any = None) -> SessionResult:
    """Run one paper (`mode="paper"`) or live (`mode="live"`) session until `stop` is set, SIGINT/SIGTERM
    (with handle_signals), `duration_s` wall seconds, or `max_events` events. `rest` overrides the client
    built from cfg.exchange (tests pass one with a patched transport). `clock_ms` (wall clock, ms) is what the
    daily universe's day boundary reads (tests inject one)."""
    if mode not in ("paper", "live"):
        raise ValueError(f"mode must be paper or live, got {mode!r}")
    registry.load_all()
    if settings is not None and not isinstance(settings, LiveSettings):
        raise TypeError(f"run_session takes engine.settings.LiveSettings, got {type(settings).__name__}")
    s = settings if settings is not None else settings_of(cfg).live
    stop = stop or threading.Event()
    old_signals = _install_signals(stop) if handle_signals else {}
    markets = [str(m) for m in cfg.markets]
    store, run_id, own_store = open_run(cfg, store, True, mode=mode)
    bridge = AsyncBridge()
    try:
        feed = build_live_feed(cfg)
        from engine.backtest import build_universe           # daily universe (liquidity): engine/live/universe.py
        from engine.live.universe import SessionUniverse
        universe = build_universe(cfg)
        daily = SessionUniverse.of(cfg, universe, feed, bridge, clock_ms)
        if daily is not None:
            markets = daily.start()
        if mode == "live":
            from engine.live.exchange import LiveExchange
            ex = LiveExchange(rest if rest is not None else build_live_client(cfg), bridge, call_wait_ms=s.call_wait_ms,
                              read_wait_ms=s.read_wait_ms, not_found_after_s=s.not_found_after_s,
                              private_stream=s.private_stream, stream_poll_s=s.stream_poll_s,
                              market_check_s=s.market_check_s, refuse_cautions=tuple(s.refuse_cautions))
        else:
            ex = build_paper_exchange(cfg)
        # Identifiers are burnt forever per account: the run id alone repeats across databases, a clock stamp does not.
        prefix = f"{OWN_PREFIX}{run_id if run_id is not None else 0}-{_base36(int(time.time() * 1000))}"
        loop = EngineLoop(cfg, exchange=ex, store=store, run_id=run_id, markets=markets, order_prefix=prefix,
                          universe=universe if daily is not None else None)
        if daily is not None:
            daily.loop = loop
    except BaseException:                 # nothing was sent yet: record the failed start, release everything
        bridge.close()
        close_run(store, run_id, "failed", own_store)
        for sig, h in old_signals.items():
            signal.signal(sig, h)
        raise
    res = SessionResult(run_id, mode, "failed", 0, {}, loop)
    from engine.live.sim_gap import SimGapMonitor
    from engine.live.tape import MarketTape
    res.tape, res.sim_gap = MarketTape.attach(loop, store, run_id), SimGapMonitor.attach(loop)   # parity (#15)
    from components.types.upbit.market_state import MarketStatus
    from engine.live.market_flags import SessionFlags       # #15: REST market flags (paper too) + ticker states
    res.flags = flags = SessionFlags.attach(loop, cfg, mode, ex, bridge, s.market_check_s,
                                                 tuple(s.refuse_cautions))
    res.tape.flag_history = loop.execution.flag_history    # parity replays the flags with the market data
    guard = None
    if mode == "live":
        guard = OrderGuard(ex, loop.om, ttl_s=loop.om.s.ttl_ms / 1000.0, grace_s=s.ttl_grace_s)
        # the guard's count (untracked own orders, wall-clock TTL) reaches the zombie_orders kill switch too
        loop.zombie_sources.append(lambda: guard.zombies)
    q: queue.Queue = queue.Queue()

    async def pump() -> None:
        try:
            async for ev in feed.events(markets):
                if hasattr(ev, "kind"):          # ticker dicts etc. are not engine events
                    q.put(ev)
                elif isinstance(ev, MarketStatus):    # a ticker changed the market's trading state
                    flags.on_status(ev)
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # noqa: BLE001  handed to the engine thread, which stops cleanly
            q.put(_Failure(e))

    from engine.live.hooks import Hooks, SessionContext
    ctx = SessionContext(cfg, mode, loop, store, run_id, res, stop, exchange=ex, silence=_Silence.of(feed),
                         extra={"feed": feed})       # the monitor reads the feed's WebSocket counters
    hooks = Hooks([])
    pump_fut = None
    try:
        hooks = Hooks.build(ctx)          # monitor, alerts, control: services beside the session (engine/live/hooks.py)
        from engine.live.resume import resume
        res.resumed = resume(loop, ex, store, run_id, mode, s.shutdown_timeout_s, s.resume_timeout_s)
        if guard is not None:
            if s.sweep_on_start:   # the resume cancelled (and booked) our resting leftovers; the sweep lists foreign ones
                from engine.live.exchange import LiveOrder
                res.swept_at_start = [LiveOrder(o) for o in res.resumed.orders if o["how"] == "cancelled"]
            try:                   # after the resume both are checks the session repeats: a failed one is not fatal
                if s.sweep_on_start:
                    res.swept_at_start += guard.sweep(own_only=True)
                res.reconcile = guard.reconcile(loop, loop.metrics)
            except Exception as e:  # noqa: BLE001  the watchdog and the periodic reconcile run them again
                log.warning(json.dumps({"event": "start_check_failed", "error": f"{type(e).__name__}: {e}"[:300]}))
        from engine.live.prices import price_holdings    # value resumed holdings before the equity switches run
        price_holdings(loop, bridge, rest=ex.rest if mode == "live" else None, cfg=cfg)
        pump_fut = bridge.spawn(pump())
        if mode == "live":
            ex.bound_waits(True)            # the loop never waits long on a read (engine/live/exchange.py)
        hooks.start(ctx)
        res.daily = daily

        def tick(now: float) -> None:
            if daily is not None:
                daily.tick()              # the daily universe: day boundary, unsubscribing flat dropped markets
            flags.step(loop.execution, loop.now_ms)
            hooks.tick(ctx, now)

        res.status = _drive(loop, ex, guard, q, stop, s, duration_s, max_events, res, ctx.silence, tick)
    except BaseException as e:
        res.error = f"{type(e).__name__}: {e}"
        res.cause = failure_cause(e)
        raise
    finally:
        try:
            bridge.call(feed.close(), 5.0)
        except Exception:  # noqa: BLE001  the feed may already be gone
            pass
        if res.daily is not None:
            res.daily.close()
        if pump_fut is not None:
            pump_fut.cancel()
        if mode == "live":
            ex.bound_waits(False)
        _shutdown(loop, ex, guard, s, res)
        try:
            _finish(loop, store, run_id, res, mode, guard, own_store)
        finally:
            if mode == "live":
                ex.close()
            flags.close(bridge)
            bridge.close()
            hooks.stop(ctx)               # after the summary: the services report the final state
        for sig, h in old_signals.items():
            signal.signal(sig, h)
    return res


class _Silence:
    """Wall-clock watch on the feed: nothing for `stale_after_s` (the feed's param; none = no watch) fails the
    session with one line naming the URL and the last event received."""

    def __init__(self, stale_after_s: float, url: str) -> None:
        self.stale_after_s, self.url = stale_after_s, url
        self.last_s = time.monotonic()
        self.last_ev: Any = None

    @classmethod
    def of(cls, feed: Any) -> "_Silence":
        p = getattr(feed, "p", None)
        return cls(float(getattr(p, "stale_after_s", 0) or 0), str(getattr(p, "url", "?")))

    def seen(self, ev: Any) -> None:
        self.last_s, self.last_ev = time.monotonic(), ev

    def message(self, now: float) -> str:
        """Empty while data flows; else the line saying for how long nothing came and what came last."""
        if not self.stale_after_s or now - self.last_s < self.stale_after_s:
            return ""
        from components.types.events import KIND_NAMES
        from engine.i18n import t
        ev = self.last_ev
        last = t("live.feed_nothing") if ev is None else \
            f"{KIND_NAMES.get(ev.kind, ev.kind)} {getattr(ev, 'market', '')} ts_ms={getattr(ev, 'ts_ms', '?')}"
        return t("live.feed_silent", url=self.url, seconds=f"{now - self.last_s:.0f}", last=last)


def _drive(loop: EngineLoop, ex: Any, guard: OrderGuard | None, q: queue.Queue, stop: threading.Event,
           s: LiveSettings, duration_s: float, max_events: int, res: SessionResult,
           silence: _Silence | None = None, tick: Any = None) -> str:
    t0 = time.monotonic()
    silence = silence or _Silence(0.0, "")
    end = t0 + duration_s if duration_s and duration_s > 0 else math.inf
    nxt = {"poll": t0 + s.poll_interval_s, "watch": t0 + s.watchdog_interval_s,
           "rec": t0 + s.reconcile_interval_s, "flush": t0 + s.flush_interval_s}
    api = _ApiWindow(s.api_window_s)
    polled = False
    while not stop.is_set() and time.monotonic() < end:
        try:
            ev = q.get(timeout=0.05)
        except queue.Empty:
            ev = None
        if isinstance(ev, _Failure):
            res.error = f"{type(ev.exc).__name__}: {ev.exc}"
            res.cause = "feed"
            log.error(json.dumps({"event": "feed_failed", "error": res.error}))
            return "failed"
        if ev is not None:
            silence.seen(ev)
            loop.on_event(ev)
            res.events += 1
            if max_events and res.events >= max_events:
                break
        now = time.monotonic()
        if tick is not None:
            tick(now)
        if ev is None and (quiet := silence.message(now)):
            res.error, res.cause = quiet, "feed"
            log.error(json.dumps({"event": "feed_silent", "url": silence.url, "error": quiet}, ensure_ascii=False))
            return "failed"
        if guard is not None:
            try:
                if now >= nxt["poll"]:
                    nxt["poll"] = now + s.poll_interval_s
                    polled = True
                    ex.refresh()
                if now >= nxt["watch"]:
                    nxt["watch"] = now + s.watchdog_interval_s
                    guard.watchdog(loop.now_ms, loop.metrics)
                if now >= nxt["rec"]:
                    nxt["rec"] = now + s.reconcile_interval_s
                    res.reconcile = guard.reconcile(loop, loop.metrics)
            except Exception as e:  # noqa: BLE001  one failed poll is counted (api_error_rate), not fatal
                log.warning(json.dumps({"event": "poll_failed", "error": f"{type(e).__name__}: {e}"[:300]}))
            if polled:
                polled = False
                api.publish(ex, loop.metrics)
        if now >= nxt["flush"]:
            nxt["flush"] = now + s.flush_interval_s
            loop.flush()
            maybe_swap_model(loop, loop.store, loop.run_id)     # a promoted model, at a safe point (engine/models/swap.py)
    return "done"


def _shutdown(loop: EngineLoop, ex: Any, guard: OrderGuard | None, s: LiveSettings, res: SessionResult) -> None:
    """Cancel every open order of ours and wait (bounded) until the exchange confirms none is left. What it
    cannot confirm (the exchange unreachable) is `unknown`: listed by identifier, the run `stopped_unconfirmed`.
    With `live.on_stop: flatten` every position is then sold at market (within orders.max_slippage_bps)."""
    try:
        loop.om.cancel_all(loop.now_ms)
    except Exception as e:  # noqa: BLE001
        log.error(json.dumps({"event": "cancel_all_failed", "error": str(e)[:300]}))
    if s.on_stop == "flatten":
        from engine.live.flatten import flatten_at_stop
        flatten_at_stop(loop, ex, guard, s)
    if guard is None:
        return
    deadline = time.monotonic() + s.shutdown_timeout_s
    left: list = []
    confirmed = False
    while True:
        try:
            ex.refresh()
            left = [o for o in ex.open_orders() if is_own(o)]
            confirmed = True
        except Exception as e:  # noqa: BLE001  keep trying until the deadline
            log.warning(json.dumps({"event": "shutdown_poll_failed", "error": str(e)[:300]}))
            confirmed = False
        # Done = nothing of ours open on the exchange AND every order we tracked final here, i.e. its trades
        # booked (a poll may still be on its way with the fills of an order the exchange already closed).
        if (confirmed and not left and not _unsettled(loop)) or time.monotonic() > deadline:
            break
        for o in left:
            guard._cancel(o.uuid, "shutdown", o)
        time.sleep(0.2)
    res.cancelled_at_stop = list(guard.cancelled)
    open_ids = {getattr(o, "identifier", None) for o in left}
    if confirmed:
        res.open_after_stop = left
        if left:
            log.error(json.dumps({"event": "orders_left_open", "uuids": [o.uuid for o in left]}))
    # Whatever is not confirmed final (no answer since the cancels, or its fills never came back) may still
    # rest or may have filled: listed as unknown. Claiming "none left" would be a guess.
    unknown = set(_unsettled(loop)) | (set() if confirmed else open_ids)
    unknown |= {mo.intent.identifier for mo in getattr(loop.om, "unresolved", lambda: [])()}
    res.unknown_at_stop = sorted(i for i in unknown - (open_ids if confirmed else set()) if i)
    if res.unknown_at_stop:
        res.status, res.cause = "stopped_unconfirmed", "exchange"
        res.error = res.error or f"{len(res.unknown_at_stop)} order(s) not confirmed final at stop"
        log.error(json.dumps({"event": "orders_unconfirmed", "identifiers": res.unknown_at_stop}))


def _unsettled(loop: EngineLoop) -> list[str]:
    """Identifiers of the orders we track whose final state (with every fill) is not known here yet."""
    return [ident for ident, mo in loop.om.open.items()
            if getattr(mo, "state", "") not in ("done", "cancel", "rejected")]    # rejected: proven never placed


def _finish(loop: EngineLoop, store: Any, run_id: int | None, res: SessionResult, mode: str,
            guard: OrderGuard | None = None, own_store: bool = False) -> None:
    from engine.summary import compute
    try:
        loop.close()
    except Exception as e:  # noqa: BLE001  the summary still matters
        res.error = res.error or f"close: {type(e).__name__}: {e}"
        if res.status != "stopped_unconfirmed":     # unconfirmed orders outrank a failed close
            res.status = "failed"
    if guard is not None:
        try:
            res.reconcile = guard.reconcile(loop, loop.metrics)     # final word: holdings vs booked fills
        except Exception as e:  # noqa: BLE001
            log.warning(json.dumps({"event": "final_reconcile_failed", "error": str(e)[:300]}))
    data = loop.ledger.data
    data.meta = run_meta(loop, run_id, mode=mode, status=res.status)
    res.summary = compute(data)
    res.summary["execution"] = loop.execution.quality()     # #15: limit-first, slippage cap, flags, clock
    close_run(store, run_id, res.status, own_store, {"summary": res.summary, "meta": data.meta, "trips": data.trips,
                                                     "open_after_stop": [o.uuid for o in res.open_after_stop],
                                                     "unknown_at_stop": res.unknown_at_stop})


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"
