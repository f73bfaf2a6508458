"""Common parameters and trip construction shared by every kill switch (actions, seconds, factor)."""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from components.types.kinds import Trip
from components.types.metric_names import per_market
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import Params

Action = Literal["block_entries", "scale_size", "pause", "cancel_all", "flatten", "halt"]


class MetricKeys(dict):
    """market -> per_market(base, market) of one metric base, each name built once (checks run at every evaluation)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, market: str) -> str:
        key = self[market] = per_market(self.base, market)
        return key


class SwitchParams(Params):
    """Every switch: what to do when it trips. seconds = how long the trip lasts (0: while the condition
    holds; a halt with 0 latches until cleared by hand); factor = size multiplier for scale_size."""
    action: Action = "block_entries"
    seconds: float = Field(0.0, ge=0, description="trip lifetime; 0 = while tripping (halt: latched)")
    factor: float = Field(1.0, gt=0, le=1, description="size multiplier when action is scale_size")

    @model_validator(mode="after")
    def _action_needs(self) -> "SwitchParams":
        if self.action == "pause" and self.seconds <= 0:
            raise ValueError("action 'pause' needs seconds > 0")
        if self.action == "scale_size" and self.factor >= 1:
            raise ValueError("action 'scale_size' needs factor < 1")
        return self


class KillSwitch:
    """Base: subclasses implement `check`; `_trip` fills action/seconds/factor from params.

    A switch whose verdict is a function of some published metrics and snapshot fields only (no own state,
    no clock) names them in `reads` / `reads_snapshot` on its own class: the risk manager then runs it only
    when one of those values changed and reuses its last trips otherwise (the same trips, fewer calls)."""
    component_name: str = ""
    reads: tuple[str, ...] = ()            # metric names the verdict depends on
    reads_snapshot: tuple[str, ...] = ()   # RiskSnapshot fields the verdict depends on
    # reads the account's equity: waits (no verdict) while a held market has no price yet, else a restart
    # would value those holdings at 0 and see a drawdown that is not there
    needs_valuation: bool = False

    def __init__(self, p: SwitchParams) -> None:
        # market -> the trip the risk manager holds in force as a level trip for this switch: re-firing
        # hands it back (the manager ignores a trip already in force), so a trip held for hours costs no
        # new Trip per evaluation. Kept by the risk manager; empty when it rebuilds every trip.
        self._held: dict[str, Trip] = {}
        self.p = p
        # only the class that declared its inputs vouches for them (a subclass may read more)
        self._declares = any(k in type(self).__dict__ for k in ("reads", "reads_snapshot", "reads_market"))
        self._idles = "idle_without" in type(self).__dict__

    @property
    def p(self) -> SwitchParams:
        return self._p

    @p.setter
    def p(self, p: SwitchParams) -> None:
        """New parameters (construction, a hot reload): numbers derived from them are derived again, and a held
        trip is not handed back (the next one is built with the new action, limits and values)."""
        self._p = p
        held = self.__dict__.get("_held")       # a plugin may set `p` before calling KillSwitch.__init__
        if held:
            held.clear()
        self.on_params(p)

    def on_params(self, p: SwitchParams) -> None:
        """Derive what a check reads at every evaluation from the parameters (override; called on every set)."""

    def input_spec(self, markets: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """(metric names, snapshot fields) the verdict is a function of for these markets, or None: it keeps
        state or reads the clock, so it is evaluated every time."""
        if not self._declares:
            return None
        return tuple(self.reads), tuple(self.reads_snapshot)

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        raise NotImplementedError

    def check_all(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> list[Trip]:
        """Every trip of this evaluation (per-market switches may trip several markets at once)."""
        trip = self.check(metrics, snapshot, ts_ms)
        return [trip] if trip is not None else []

    def _trip(self, market: str = "", seconds: float | None = None, **values: float | str) -> Trip:
        """A Trip whose reason is the catalog key `killswitch.<name>` formatted later with `values`."""
        held = self._held
        if held and market in held:
            return held[market]
        name = self.component_name
        return Trip(switch=name, action=self.p.action, reason=f"killswitch.{name}",
                    factor=self.p.factor if self.p.action == "scale_size" else 1.0,
                    seconds=self.p.seconds if seconds is None else seconds, market=market,
                    values={k: (round(v, 6) if isinstance(v, float) else v) for k, v in values.items()})


class MarketSwitch(KillSwitch):
    """A switch evaluated per market in `snapshot.markets`; its trips are scoped to that market.
    `reads_market` names per-market metric bases (`per_market(base, market)`) a stateless verdict reads."""
    reads_market: tuple[str, ...] = ()
    # per-market metric bases without which check_market returns None and leaves the switch's state alone:
    # while none of them is published for any market the risk manager does not call the switch
    idle_without: tuple[str, ...] = ()

    def idle_spec(self, markets: tuple[str, ...]) -> tuple[str, ...] | None:
        """The metric names whose being unpublished (None or NaN) for every market means no trip and no state
        change, or None (the switch is always called). Only the class that declared them vouches for them."""
        if not self._idles or not self.idle_without:
            return None
        return tuple(per_market(b, m) for m in markets for b in self.idle_without)

    def input_spec(self, markets: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        if not self._declares:
            return None
        return tuple(per_market(b, m) for m in markets for b in self.reads_market), tuple(self.reads_snapshot)

    def check_market(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int, market: str) -> Trip | None:
        raise NotImplementedError

    def _key(self, base: str, market: str) -> str:
        """per_market(base, market), built once per pair (a check runs at every evaluation)."""
        keys = self.__dict__.setdefault("_keys", {})
        of = keys.get(base)
        if of is None:
            of = keys[base] = MetricKeys(base)
        return of[market]

    def check_all(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> list[Trip]:
        out = []
        for market in snapshot.markets:
            trip = self.check_market(metrics, snapshot, ts_ms, market)
            if trip is not None:
                out.append(trip)
        return out

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        trips = self.check_all(metrics, snapshot, ts_ms)
        return trips[0] if trips else None


def finite(x: float) -> bool:
    return x is not None and math.isfinite(x)
