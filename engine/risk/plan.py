"""Which kill switches one evaluation runs: a switch whose declared inputs did not change keeps its verdict."""
from __future__ import annotations

from itertools import compress, count
from operator import attrgetter, ne
from typing import Any

from components.types.kinds import Trip
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot


class SwitchPlan:
    """Per switch, in config order: (id, switch, metric names, snapshot getter, input positions, idle names).

    names None: the switch keeps state or reads the clock, so it runs at every evaluation. Otherwise its
    verdict is a function of the named metrics and snapshot fields: it runs only when one of them changed
    since it last ran, and a kept verdict is used only while every trip in it is still in force (a trip to
    record anew is always built by a fresh check, with this evaluation's values and clock). idle names: the
    per-market metrics without which the switch returns no trip and leaves its state alone (spread_surge
    without a spread): while none is published for any market the switch is not called at all.
    `reuse=False` runs every switch at every evaluation (the reference path tests compare against)."""

    def __init__(self) -> None:
        self.markets: tuple[str, ...] | None = None
        self.switches: dict[str, Any] = {}
        self.rows: list[tuple] = []
        self.names: tuple[str, ...] = ()
        self.fields: Any = None
        self.n_fields = 0
        self.prev: tuple | None = None         # the last evaluation's fingerprint of every declared input
        self.seen: dict[str, tuple] = {}       # switch id -> the inputs its kept verdict was computed from
        self.verdicts: dict[str, list[Trip]] = {}
        self.always: list[int] = []            # rows run at every evaluation (no declared inputs)
        self.always_set: frozenset[int] = frozenset()
        self.by_input: dict[int, tuple[int, ...]] = {}   # fingerprint position -> the rows that read it
        self.kept: dict[int, list[Trip]] = {}  # declared rows whose kept verdict trips (they count as firing)
        self.unseen: set[int] = set()          # declared rows without a kept verdict (never ran, or waited)
        self.awake: list[int] = []             # the always-run rows not sleeping
        self.idle_names: tuple[str, ...] = ()  # every row's idle metrics, read once per evaluation
        self.idle_at: dict[int, tuple[int, ...]] = {}
        self.prev_idle: tuple | None = None
        self.sleeping: frozenset[int] = frozenset()   # rows whose idle metrics are all unpublished

    def build(self, switches: dict[str, Any], markets: tuple[str, ...], reuse: bool) -> None:
        self.markets, self.switches = markets, dict(switches)
        self.seen.clear()
        self.verdicts.clear()
        self.kept.clear()
        self.prev = None
        rows = []
        all_names: dict[str, None] = {}
        all_fields: dict[str, None] = {}
        for sid, switch in switches.items():
            spec = switch.input_spec(markets) if reuse and hasattr(switch, "input_spec") else None
            idle_spec = getattr(switch, "idle_spec", None) if reuse else None
            idle = idle_spec(markets) if idle_spec is not None else None
            if spec is None:
                rows.append((sid, switch, None, None, (), idle))
                continue
            names, fields = spec
            if idle is not None and not set(idle) <= set(names):
                idle = None                # a skipped declared switch must be hit again when it wakes
            all_names.update(dict.fromkeys(names))
            all_fields.update(dict.fromkeys(fields))
            rows.append((sid, switch, tuple(names), attrgetter(*fields) if fields else None,
                         (tuple(names), tuple(fields)), idle))
        self.names = tuple(all_names)
        self.fields = attrgetter(*all_fields) if all_fields else None
        self.n_fields = len(all_fields)
        # a switch's inputs as positions in the evaluation's fingerprint (metric names, then snapshot fields)
        at = {("m", n): i for i, n in enumerate(all_names)}
        at.update({("f", f): len(all_names) + j for j, f in enumerate(all_fields)})
        self.rows = [(sid, sw, names, getter, frozenset() if names is None else
                      frozenset([at["m", n] for n in deps[0]] + [at["f", f] for f in deps[1]]), idle)
                     for sid, sw, names, getter, deps, idle in rows]
        self.always = self.awake = [at for at, row in enumerate(self.rows) if row[2] is None]
        idle_names = list(dict.fromkeys(n for row in self.rows if row[5] is not None for n in row[5]))
        self.idle_names = tuple(idle_names)
        self.idle_at = {at: tuple(idle_names.index(n) for n in row[5]) for at, row in enumerate(self.rows)
                        if row[5] is not None}
        self.prev_idle, self.sleeping = None, frozenset()
        self.always_set = frozenset(self.always)
        self.unseen = {at for at, row in enumerate(self.rows) if row[2] is not None}
        by_input: dict[int, list[int]] = {}
        for at, row in enumerate(self.rows):
            for i in row[4]:
                by_input.setdefault(i, []).append(at)
        self.by_input = {i: tuple(ats) for i, ats in by_input.items()}

    def run(self, metrics: Metrics, snap: RiskSnapshot, ts_ms: int, in_force: dict,
            waiting: tuple[str, ...]) -> tuple[list[tuple[str, list[Trip]]], list[str]]:
        """(switch id, its trips) for every switch that trips now, in config order, and the ids of the
        switches that wait for a complete valuation (their trips stand as they are)."""
        values_of = metrics.values_of
        if self.idle_names:
            got = values_of(self.idle_names)
            if got != self.prev_idle:
                self._wake(got)
        fingerprint = values_of(self.names)
        if self.n_fields:
            got = self.fields(snap)
            fingerprint += got if self.n_fields > 1 else (got,)
        prev = self.prev
        self.prev = fingerprint
        if waiting or prev is None or len(prev) != len(fingerprint):
            return self._visit(range(len(self.rows)), metrics, snap, ts_ms, in_force, waiting, None)
        sleeping = self.sleeping
        if fingerprint == prev:
            visit = self.awake if not self.kept and not self.unseen else \
                sorted(self.always_set.union(self.kept, self.unseen).difference(sleeping))
            return self._visit(visit, metrics, snap, ts_ms, in_force, (), set())
        # which inputs changed since the last evaluation: only the switches that read one of them run again
        # (a switch none of whose inputs did keeps its verdict: its inputs still equal those it last ran on)
        # (compared in C: an unchanged NaN counts as changed, which only costs its readers an input compare)
        changed = set(compress(count(), map(ne, fingerprint, prev)))
        hit = set(self.always_set).union(self.kept, self.unseen)
        by_input = self.by_input
        for i in changed:
            hit.update(by_input[i])
        return self._visit(sorted(hit.difference(sleeping)), metrics, snap, ts_ms, in_force, (), changed)

    def _wake(self, idle_values: tuple) -> None:
        """The rows whose idle metrics are all unpublished sleep: no call, no trip (their kept verdict goes)."""
        self.prev_idle = idle_values
        self.sleeping = frozenset(at for at, pos in self.idle_at.items() if _unpublished([idle_values[i] for i in pos]))
        for at in self.sleeping:
            self.kept.pop(at, None)
        self.awake = [at for at in self.always if at not in self.sleeping]

    def _visit(self, visit: Any, metrics: Metrics, snap: RiskSnapshot, ts_ms: int, in_force: dict,
               waiting: tuple[str, ...], changed: set | None) -> tuple[list[tuple[str, list[Trip]]], list[str]]:
        values_of = metrics.values_of
        seen, verdicts, kept, unseen, rows = self.seen, self.verdicts, self.kept, self.unseen, self.rows
        fired: list[tuple[str, list[Trip]]] = []
        waited: list[str] = []
        for at in visit:
            sid, switch, names, fields, deps, idle = rows[at]
            if waiting and switch.needs_valuation:
                waited.append(sid)
                seen.pop(sid, None)
                unseen.add(at)
                kept.pop(at, None)
                continue
            if idle is not None and changed is None and _unpublished(values_of(idle)):
                kept.pop(at, None)                   # no trip while idle; its kept inputs still say what it ran on
                continue
            if names is None:
                trips = switch.check_all(metrics, snap, ts_ms)
            else:
                inputs = None
                if changed is not None and sid in seen and changed.isdisjoint(deps):
                    trips = verdicts.get(sid)
                else:
                    inputs = (values_of(names) if fields is None else fields(snap) if not names
                              else (values_of(names), fields(snap)))
                    trips = verdicts.get(sid) if sid in seen and seen[sid] == inputs else None
                if trips is None or (trips and not all((sid, t.market) in in_force for t in trips)):
                    trips = verdicts[sid] = switch.check_all(metrics, snap, ts_ms)
                    if inputs is not None:
                        seen[sid] = inputs
                        unseen.discard(at)
                if trips:
                    kept[at] = trips
                else:
                    kept.pop(at, None)
            if trips:
                fired.append((sid, trips))
        return fired, waited


def _unpublished(values: tuple) -> bool:
    for v in values:
        if v is not None and v == v:
            return False
    return True
