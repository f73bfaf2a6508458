"""RiskManager: the engine's one risk object — kill switches -> trading state, entry limits + sizing, exits."""
from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import registry
from components.types.money import finalize_krw
from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.costs import CostModel
from components.types.orders import Position
from components.types.risk import FLATTEN, HALT, PAUSE, SCALE_SIZE, ExitContext, ExitSignal, RiskSnapshot, SizingContext
from engine.conf import plain
from engine.risk.exits import ExitChain
from engine.risk.persist import RiskPersistence
from engine.risk.plan import SwitchPlan
from engine.risk.state import ActiveTrip, TradingState, blocks_entries, derive_state
from engine.settings import Limits, Settings, settings_of

log = logging.getLogger("scalp.risk")
DAY_MS = 86_400_000          # Upbit's trading day starts 09:00 KST = 00:00 UTC
STATE_KEY = "risk_manager"


@dataclass(slots=True)
class EntryDecision:
    """Answer to `check_entry`: allowed with size_krw (>= 5,000) or refused with reasons (stored as-is)."""
    allowed: bool
    size_krw: float = 0.0
    size_factor: float = 1.0
    reasons: list[str] = field(default_factory=list)


class RiskManager:
    """Owns sizing, exits, kill switches, limits and the trading state of one account.

    Time is always the caller's `ts_ms` (event time in backtests, wall time live): nothing here reads a clock.
    """

    def __init__(self, sizing: Mapping | None = None, exits: Mapping | None = None,
                 switches: Mapping | None = None, limits: Limits | None = None, market_class: str = "majors",
                 markets: list[str] | tuple[str, ...] = (), alerts: Mapping | None = None,
                 persistence: RiskPersistence | None = None, persist_every_ms: int = 60_000,
                 sizing_limits: Mapping | None = None) -> None:
        problems: list[tuple[str, str]] = []

        def build(kind: str, node: Any, path: str) -> Any:
            try:
                return registry.build(kind, node, path=path)
            except registry.ConfigError as e:
                problems.extend(e.problems)
                return None

        sizing = plain(sizing) or {"component": "confidence_proportional"}
        self.sizing = build("sizing", sizing, "sizing")
        self.sizing_limits = [obj for lid, node in (plain(sizing_limits) or {}).items()
                              if (obj := build("sizing_limit", node, f"sizing_limits.{lid}")) is not None]
        try:
            self.exits = ExitChain(plain(exits) or {})
        except registry.ConfigError as e:
            problems.extend(e.problems)
        self.switches: dict[str, Any] = {}
        for sid, node in (plain(switches) or {}).items():
            obj = build("killswitch", node, f"killswitches.{sid}")
            if obj is not None:
                self.switches[str(sid)] = obj
        self.alerts = [a for aid, node in (plain(alerts) or {}).items()
                       if (a := build("alert", node, f"alerts.{aid}")) is not None]
        # paper/live: engine/alerts queues trips and clears here (kind, switch, action, market, reason) and its
        # own threads send them; None (backtests, tools) = the channels above are called synchronously
        self.alert_sink: Any = None
        if problems:
            raise registry.ConfigError(problems)
        if limits is not None and not isinstance(limits, Limits):
            raise TypeError(f"RiskManager takes engine.settings.Limits, got {type(limits).__name__}")
        self.limits = limits if limits is not None else Limits()
        self.cooldown_ms = self.limits.cooldown_ms
        self.max_open_positions = self.limits.max_open_positions
        self.max_market_share = self.limits.max_market_share
        self.market_class = market_class
        self.persistence = persistence
        self.persist_every_ms = persist_every_ms
        self.snapshot = RiskSnapshot(markets=tuple(markets))
        self.trips: dict[tuple[str, str], ActiveTrip] = {}
        self.last_trade_ms: dict[str, int] = {}
        self._pending: dict[str, int] = {}      # market -> ts of an entry sent but not yet seen as a position
        self._day = None
        self._saved_ms = -10**18
        self._state = TradingState.ACTIVE
        self._stale = False                # the trips in force changed since the state was derived
        # switches that declare their inputs (KillSwitch.input_spec) run only when one of them changed;
        # False: every switch at every evaluation, trips rebuilt each time (the reference path of the tests)
        self.reuse_verdicts = True
        self._plan = SwitchPlan()
        self._state_at: tuple | None = None   # what the last `save` recorded (built into a dict when written)
        self._defer = getattr(persistence, "defer_state", None)
        self.persist_errors = 0           # trips/state the persistence failed to write (read by store_errors)
        # held markets without a price yet (a restart before their first event): the equity would count them
        # at 0, so switches that read equity wait (no verdict, no new trip) and peak / day start are left alone
        self.unpriced: tuple[str, ...] = ()
        self.costs = CostModel()
        self._restore()

    @classmethod
    def from_config(cls, cfg: Any, persistence: RiskPersistence | None = None, store: Any = None,
                    run_id: int | None = None, settings: Settings | None = None) -> "RiskManager":
        """From the composed root config: sizing, exits, killswitches, alerts; limits, market_class, markets
        and mode come from the typed `settings` (parsed from cfg when not given).

        `store` (a built store component) persists trips and state through it when no `persistence` is
        given: namespace = the mode, and for backtests "backtest:<run_id>" so a finished run's trips never
        reach another run. The manager then records the trips itself (do not also call store.record_trip)."""
        s = settings if settings is not None else settings_of(cfg)
        if persistence is None and store is not None:
            from engine.risk.store_adapter import StoreRiskPersistence
            ns = f"backtest:{run_id}" if s.mode == "backtest" else s.mode
            persistence = StoreRiskPersistence(store, namespace=ns, run_id=run_id if s.mode == "backtest" else None)
        return cls(sizing=cfg.get("sizing"), exits=cfg.get("exits"), switches=cfg.get("killswitches"),
                   limits=s.limits, market_class=s.market_class, markets=list(s.markets), alerts=cfg.get("alerts"),
                   persistence=persistence, sizing_limits=cfg.get("sizing_limits"))

    def bind_costs(self, costs: CostModel) -> None:
        """The run's cost model, also handed to sizing and every exit (fee, minimum order)."""
        self.costs = costs
        for user in (self.sizing, self.exits):
            if hasattr(user, "bind_costs"):
                user.bind_costs(costs)

    # --- persistence ---------------------------------------------------------------------------------
    def _restore(self) -> None:
        if self.persistence is None:
            return
        state = self.persistence.load_state(STATE_KEY) or {}
        snap = state.get("snapshot", {})
        for name in ("day_start_equity_krw", "peak_equity_krw", "equity_krw"):
            if name in snap and snap[name] is not None:
                setattr(self.snapshot, name, float(snap[name]))
        self.snapshot.consecutive_losses = int(snap.get("consecutive_losses", 0))
        self._day = state.get("day")
        self.last_trade_ms = {k: int(v) for k, v in state.get("last_trade_ms", {}).items()}
        if hasattr(self.sizing, "set_state") and state.get("sizing"):
            self.sizing.set_state(state["sizing"])
        restored_ms = int(state.get("ts_ms", 0))
        for rec in self.persistence.load_active_trips(restored_ms):
            trip = ActiveTrip.from_record(rec)
            self.trips[trip.key] = trip
        self._state = derive_state(list(self.trips.values()))

    def save(self, ts_ms: int) -> None:
        """Write account tracking (day start, peak, losing streak, cooldowns, Kelly) to the persistence. A
        persistence that writes later (a backtest's, at its batches) is handed a builder, not a dict: the
        values are taken now, the dict is built only when written."""
        if self.persistence is None:
            return
        s = self.snapshot
        self._state_at = (int(ts_ms), self._day, s.day_start_equity_krw, s.peak_equity_krw, s.equity_krw,
                          s.consecutive_losses, self.sizing.get_state() if hasattr(self.sizing, "get_state") else None)
        if self._defer is not None:
            self._defer(STATE_KEY, self._state_record)
        else:
            self.persistence.save_state(STATE_KEY, self._state_record())
        self._saved_ms = ts_ms

    def _state_record(self) -> dict:
        ts_ms, day, day_start, peak, equity, losses, sizing = self._state_at
        state = {"ts_ms": ts_ms, "day": day, "last_trade_ms": self.last_trade_ms,
                 "snapshot": {"day_start_equity_krw": _num(day_start), "peak_equity_krw": _num(peak),
                              "equity_krw": _num(equity), "consecutive_losses": losses}}
        if sizing is not None:
            state["sizing"] = sizing
        return state

    # --- account tracking ----------------------------------------------------------------------------
    def on_account(self, ts_ms: int, equity_krw: float, cash_krw: float = math.nan,
                   positions_krw: Mapping[str, float] | None = None, open_orders_krw: float = 0.0,
                   unpriced: tuple[str, ...] = ()) -> None:
        """Latest account valuation; tracks the day's starting equity and the peak equity. `unpriced`: held
        markets the valuation could not price yet — the equity is partial, so it sets neither."""
        s = self.snapshot
        s.ts_ms, s.equity_krw, s.cash_krw = ts_ms, float(equity_krw), float(cash_krw)
        s.positions_krw = {m: float(v) for m, v in positions_krw.items() if v > 0} if positions_krw else {}
        s.open_orders_krw = float(open_orders_krw)
        if unpriced != self.unpriced:
            log.info(json.dumps({"event": "valuation_wait" if unpriced else "valuation_complete",
                                 "unpriced": list(unpriced), "ts_ms": int(ts_ms)}))
            self.unpriced = tuple(unpriced)
            self._plan.prev = None            # verdicts held while waiting are not reused afterwards
        if unpriced:
            return
        day = ts_ms // DAY_MS
        if self._day != day or not math.isfinite(s.day_start_equity_krw):
            self._day, s.day_start_equity_krw = day, float(equity_krw)
        if not math.isfinite(s.peak_equity_krw) or equity_krw > s.peak_equity_krw:
            s.peak_equity_krw = float(equity_krw)
        if s.markets and s.positions_krw and any(m not in s.markets for m in s.positions_krw):
            s.markets = tuple(sorted(set(s.markets) | set(s.positions_krw)))

    def on_entry(self, market: str, ts_ms: int) -> None:
        """An entry was sent/filled on `market`: its cooldown starts now, and it counts as an open position
        until `on_account` shows it (or one cooldown passes without a fill), so two markets deciding in the
        same tick cannot both take the last slot."""
        self.last_trade_ms[market] = ts_ms
        self._pending[market] = ts_ms

    def observe_price(self, market: str, ts_ms: int, price: float) -> None:
        """A decision price of `market`: the sizing limits that keep a price history (correlation) learn it."""
        for lim in self.sizing_limits:
            lim.observe(market, ts_ms, price)

    def on_trade_closed(self, market: str, ts_ms: int, net_krw: float, net_return: float = math.nan) -> None:
        """A round trip finished (net of both fees): losing streak, Kelly refit input, cooldown."""
        self.last_trade_ms[market] = ts_ms
        self.snapshot.consecutive_losses = self.snapshot.consecutive_losses + 1 if net_krw <= 0 else 0
        if hasattr(self.sizing, "record_trade") and math.isfinite(net_return):
            self.sizing.record_trade(net_return)
        self.save(ts_ms)

    # --- kill switches -------------------------------------------------------------------------------
    def _expire(self, ts_ms: int) -> None:
        if not self.trips:
            return
        for key, trip in list(self.trips.items()):
            if trip.expired(ts_ms):
                self._drop(key, ts_ms, "expired")

    def _drop(self, key: tuple[str, str], ts_ms: int, why: str = "recovered") -> None:
        trip = self.trips.pop(key)
        self._stale = True
        held = _held(self.switches.get(trip.switch))
        if held:
            held.pop(trip.market, None)
        if self.persistence is not None and trip.id is not None:
            self._persist(self.persistence.clear_trip, trip.id, ts_ms)
        if self.alert_sink is not None:
            self.alert_sink("clear", trip.switch, trip.action, trip.market, why)

    def replan(self) -> None:
        """Switch parameters changed (a hot reload): the next evaluation plans again and runs every switch
        afresh (no kept verdict survives a new threshold)."""
        self._plan.markets = None

    def evaluate(self, metrics: Metrics | None, ts_ms: int) -> list[Trip]:
        """Run every switch; returns the NEW trips (reason formatted in ui.lang). Level trips whose switch no
        longer trips are cleared; timed trips last until expiry; a halt without seconds latches."""
        metrics = metrics if metrics is not None else Metrics()
        if self.trips:
            self._expire(ts_ms)
        snap, plan, trips_in_force = self.snapshot, self._plan, self.trips
        snap.ts_ms = ts_ms
        if plan.markets != snap.markets or plan.switches != self.switches:
            plan.build(self.switches, snap.markets, self.reuse_verdicts)
        fired, waited = plan.run(metrics, snap, ts_ms, trips_in_force, self.unpriced)
        if not fired and not trips_in_force:          # nothing trips and nothing is in force: nothing to do
            if self._stale:
                self._state, self._stale = TradingState.ACTIVE, False
            if ts_ms - self._saved_ms >= self.persist_every_ms:
                self._persist(self.save, ts_ms)
            return []
        firing: set[tuple[str, str]] = set()
        new: list[Trip] = []
        for sid, trips in fired:
            for trip in trips:
                key = (sid, trip.market)
                firing.add(key)
                if key in trips_in_force:
                    continue          # already in force: a timed trip is not extended by re-firing
                active = ActiveTrip(switch=sid, component=trip.switch, action=trip.action, reason=trip.reason,
                                    started_ms=ts_ms, market=trip.market, factor=trip.factor,
                                    until_ms=ts_ms + int(trip.seconds * 1000) if trip.seconds > 0 else None,
                                    latched=trip.action == HALT and trip.seconds <= 0, values=dict(trip.values))
                if self.persistence is not None:
                    active.id = self._persist(self.persistence.save_trip,
                                              {**active.to_record(), "text": self.describe(active)})
                trips_in_force[key] = active
                self._stale = True
                if active.until_ms is None and self.reuse_verdicts:
                    # while it stays in force the switch hands this trip back instead of building a new one
                    _held(self.switches[sid])[trip.market] = trip
                new.append(dataclasses.replace(trip, switch=sid, reason=self.describe(active)))
        for sid in waited:
            firing.update(k for k in trips_in_force if k[0] == sid)   # its trips stand as they are; no new one
        if self.trips:
            for key, trip in list(self.trips.items()):
                if trip.until_ms is None and not trip.latched and key not in firing:
                    self._drop(key, ts_ms)
        if self._stale:                   # derived again only when the trips in force changed
            self._state = derive_state(list(self.trips.values())) if self.trips else TradingState.ACTIVE
            self._stale = False
        if new:
            self._persist(self.save, ts_ms)
            if hasattr(self.persistence, "flush"):
                self._persist(self.persistence.flush)      # the restore clock must not lag a recorded trip
            self._alert(new)
        elif ts_ms - self._saved_ms >= self.persist_every_ms:
            self._persist(self.save, ts_ms)
        return new

    def _persist(self, write: Any, *args: Any) -> Any:
        """A persistence write; a failure is counted (store_errors trips on it) and the trip stays in force
        in memory — a store outage must not stop the kill switches themselves."""
        try:
            return write(*args)
        except Exception as e:
            self.persist_errors += 1
            self._saved_ms = self.snapshot.ts_ms
            log.warning(json.dumps({"event": "risk_persist_failed", "error": type(e).__name__,
                                    "detail": str(e)[:200], "errors": self.persist_errors}))
            return None

    @staticmethod
    def describe(trip: ActiveTrip) -> str:
        """Human reason of a trip in the current ui.lang (message catalog; falls back to the key)."""
        from engine.i18n import t
        try:
            return t(trip.reason, market=trip.market, **trip.values)
        except (KeyError, ValueError, IndexError, TypeError):   # a plugin switch with its own free text
            return f"{trip.reason} {trip.values}" if trip.values else trip.reason

    def _alert(self, trips: list[Trip]) -> None:
        if self.alert_sink is not None:         # queued: a slow or dead channel never holds the loop
            for trip in trips:
                self.alert_sink("trip", trip.switch, trip.action, trip.market, trip.reason)
            return
        if not self.alerts:
            return
        from engine.i18n import t
        for trip in trips:
            text = t("risk.trip", switch=trip.switch, action=trip.action, reason=trip.reason)
            level = "critical" if trip.action in (HALT, FLATTEN) else "warning"
            for alert in self.alerts:
                try:
                    alert.send(text, level=level, fields={"switch": trip.switch, "action": trip.action,
                                                          "market": trip.market})
                except Exception as e:  # an alert channel must never stop trading decisions
                    log.warning("alert failed: %s", type(e).__name__)

    def clear(self, switch: str, ts_ms: int, market: str | None = None) -> int:
        """Manual reset of a switch's trips (all markets unless given); returns how many were cleared."""
        keys = [k for k in self.trips if k[0] == switch and (market is None or k[1] == market)]
        for key in keys:
            self._drop(key, ts_ms, "manual")
        self._state = derive_state(list(self.trips.values()))
        return len(keys)

    def switch_states(self, ts_ms: int | None = None) -> dict[str, str]:
        """Per switch id: "tripped" (a trip in force), "waiting" (reads equity, a held market has no price
        yet) or "armed". Without `ts_ms` nothing expires (a read-only look at restored trips)."""
        tripped = {t.switch for t in self.active_trips(ts_ms)}
        return {sid: "tripped" if sid in tripped else
                "waiting" if self.unpriced and getattr(sw, "needs_valuation", False) else "armed"
                for sid, sw in self.switches.items()}

    def active_trips(self, ts_ms: int | None = None) -> list[ActiveTrip]:
        if ts_ms is not None:
            self._expire(ts_ms)
            self._state = derive_state(list(self.trips.values()))
        return list(self.trips.values())

    @property
    def state(self) -> TradingState:
        return self._state

    def state_at(self, ts_ms: int) -> TradingState:
        self.active_trips(ts_ms)
        return self._state

    def size_factor(self, ts_ms: int, market: str = "") -> float:
        f = 1.0
        for trip in self.active_trips(ts_ms):
            if trip.action == SCALE_SIZE and (not trip.market or trip.market == market):
                f *= trip.factor
        return f

    # --- entries -------------------------------------------------------------------------------------
    def check_entry(self, market: str, ts_ms: int, confidence: float, balance_krw: float,
                    context: SizingContext | None = None) -> EntryDecision:
        """Gate (state, trips, cooldown, open positions, market share) then size. Reasons are stable codes."""
        trips = self.active_trips(ts_ms)
        reasons: list[str] = []
        if self._state is TradingState.HALTED:
            ids = sorted({t.switch for t in trips if not t.market and t.action in (HALT, PAUSE)})
            reasons.append(f"state.halted: {', '.join(ids)}")
        for t in trips:
            if blocks_entries(t, market) and not (self._state is TradingState.HALTED and not t.market
                                                    and t.action in (HALT, PAUSE)):
                where = f" {t.market}" if t.market else ""
                reasons.append(f"killswitch.{t.action}: {t.switch}{where}")
        last = self.last_trade_ms.get(market)
        if last is not None and ts_ms - last < self.cooldown_ms:
            reasons.append(f"limit.cooldown: {(ts_ms - last) / 1000:.1f}s < {self.cooldown_ms / 1000:g}s")
        held = self.snapshot.positions_krw
        for m, t0 in list(self._pending.items()):
            if m in held or ts_ms - t0 > max(self.cooldown_ms, 1000):
                del self._pending[m]
        n_open = len(held.keys() | self._pending.keys())
        if market not in held and market not in self._pending and n_open >= self.max_open_positions:
            reasons.append(f"limit.max_open_positions: {n_open} >= {self.max_open_positions}")
        equity = self.snapshot.equity_krw if math.isfinite(self.snapshot.equity_krw) else balance_krw
        room = self.max_market_share * equity - held.get(market, 0.0)
        min_krw = self.costs.min_order_krw
        if room / (1 + self.costs.fee_rate) < min_krw:
            reasons.append(f"limit.market_share: room {max(room, 0):.0f} KRW < {min_krw:.0f}")
        factor = self.size_factor(ts_ms, market)
        if reasons:
            return EntryDecision(False, 0.0, factor, reasons)
        ctx = context if context is not None else SizingContext(market=market)
        if not ctx.market:
            ctx.market = market
        if context is None or not context.market_class:
            ctx.market_class = self.market_class
        if not math.isfinite(ctx.equity_krw):
            ctx.equity_krw = equity
        ctx.open_positions = n_open
        raw = float(self.sizing.size_krw(balance_krw, confidence, ctx))
        limited = []
        for lim in self.sizing_limits:            # risk across positions: each may scale or refuse
            v = lim.limit(market, ctx, tuple(sorted(held.keys() | self._pending.keys())))
            if v.reason:
                limited.append(v.reason)
            raw *= v.factor
        if limited and raw <= 0:
            return EntryDecision(False, 0.0, factor, [f"sizing_limit.{r}" for r in limited])
        size = finalize_krw(raw * factor, balance_krw, self.costs) if factor < 1.0 or limited else raw
        if size <= 0:
            why = f"sizing.zero: confidence {confidence:.3f}, balance {balance_krw:.0f} KRW"
            if raw > 0:
                why = f"sizing.below_minimum: {raw:.0f} KRW x {factor:g} < {min_krw:.0f}"
            return EntryDecision(False, 0.0, factor, [why])
        notes = ([f"size_factor: {factor:g}"] if factor < 1.0 else []) + [f"sizing_limit.{r}" for r in limited]
        if size > room:
            clipped = finalize_krw(room, balance_krw, self.costs)
            notes.append(f"limit.market_share.clipped: {size:.0f} -> {clipped:.0f}")
            size = clipped
            if size <= 0:
                return EntryDecision(False, 0.0, factor, notes)
        return EntryDecision(True, size, factor, notes)

    # --- exits ---------------------------------------------------------------------------------------
    def check_exit(self, position: Position, price: float, ts_ms: int,
                   context: ExitContext | None = None) -> ExitSignal | None:
        """Flatten trips first (a stop), then the configured exits in priority order."""
        if position.volume <= 0:
            return None
        for t in self.trips.values():
            if t.action == FLATTEN and (not t.market or t.market == position.market) and not t.expired(ts_ms):
                return ExitSignal(f"killswitch:{t.switch}", is_stop=True,
                                  net_return=position.net_return(price, self.costs.fee_rate))
        if context is None:
            context = ExitContext(market_class=self.market_class)
        return self.exits.check(position, price, ts_ms, context)


def _held(switch: Any) -> dict:
    """The switch's trips in force by market (KillSwitch._held); a plugin without one gets a throwaway."""
    held = getattr(switch, "_held", None)
    return held if held is not None else {}


def _num(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None
