"""Risk persistence over the DATA store (components/store: trips table + artifacts), namespaced per mode."""
from __future__ import annotations

import json
from typing import Any

STATE_KIND = "risk_state"


class StoreRiskPersistence:
    """RiskPersistence on a built `store` component (STORE_API.md).

    The store's `trips` row has switch/action/reason/until_ms only, so the restore data (message key, market,
    factor, latch, values) travels as JSON in `reason` with the human text under "text". `namespace` (e.g.
    the mode, or "live:<account>") keeps a backtest's trips from ever halting a live run sharing the file;
    `run_id` (optional) further limits restores to one run. Risk state goes to the artifacts table, at most
    once per `state_every_ms` of event time (plus `flush`); `state_every_ms=None` writes it only at `write_state`
    (a backtest: its state is never restored by another run, and a write per minute of data cost a quarter
    of the replay)."""

    def __init__(self, store: Any, namespace: str = "live", run_id: int | None = None,
                 state_every_ms: int | None = 60_000, defer_trips: bool = False) -> None:
        self.store, self.namespace, self.run_id = store, namespace, run_id
        self.state_every_ms = state_every_ms
        self._pending: dict[str, dict] = {}
        self._written_ms: dict[str, int] = {}
        # defer_trips (a backtest): trips are kept here and written in one batch by `write_trips` at the end of
        # the run — nothing restores them mid-run, and one transaction per trip and clear cost ~20 % of a replay
        self.defer_trips = defer_trips
        self._trips: dict[int, dict] = {}

    def save_trip(self, rec: dict) -> int:
        reason = self._reason(rec)
        if self.defer_trips:
            trip_id = len(self._trips) + 1
            self._trips[trip_id] = dict(run_id=self.run_id, switch=rec["switch"], action=rec["action"], reason=reason,
                                        ts_ms=int(rec["started_ms"]), until_ms=rec.get("until_ms"), cleared_ms=None)
            return trip_id
        return int(self.store.record_trip(self.run_id, rec["switch"], rec["action"], reason,
                                          int(rec["started_ms"]), rec.get("until_ms")))

    def write_trips(self) -> None:
        """Write the deferred trips (with their clear times) to the store, oldest first."""
        rows, self._trips = list(self._trips.values()), {}
        if rows and hasattr(self.store, "record_trips"):
            self.store.record_trips(rows)          # one transaction
            return
        for row in rows:
            trip_id = self.store.record_trip(row["run_id"], row["switch"], row["action"], row["reason"],
                                             row["ts_ms"], row["until_ms"])
            if row["cleared_ms"] is not None:
                self.store.clear_trip(trip_id, row["cleared_ms"])

    def _reason(self, rec: dict) -> str:
        return json.dumps({"ns": self.namespace, "text": rec.get("text", ""), "key": rec.get("reason", ""),
                           "component": rec.get("component"), "market": rec.get("market") or "",
                           "factor": rec.get("factor", 1.0), "latched": bool(rec.get("latched")),
                           "values": rec.get("values") or {}}, ensure_ascii=False)

    def clear_trip(self, trip_id: int, ts_ms: int) -> None:
        if self.defer_trips:
            if trip_id in self._trips and self._trips[trip_id]["cleared_ms"] is None:
                self._trips[trip_id]["cleared_ms"] = int(ts_ms)
            return
        self.store.clear_trip(trip_id, ts_ms)

    def load_active_trips(self, ts_ms: int) -> list[dict]:
        out = []
        # ts_ms is the clock of the last saved risk state; the manager flushes its state whenever it
        # records a trip, so no trip of ours is stamped after it.
        for row in self.store.load_active_trips(ts_ms):
            try:
                meta = json.loads(row.get("reason") or "{}")
            except json.JSONDecodeError:
                continue          # a trip written by someone else: not ours to restore
            if not isinstance(meta, dict) or meta.get("ns") != self.namespace:
                continue
            if self.run_id is not None and row.get("run_id") != self.run_id:
                continue
            out.append({"id": row["id"], "switch": row["switch"], "action": row["action"],
                        "component": meta.get("component") or row["switch"], "reason": meta.get("key", ""),
                        "market": meta.get("market", ""), "factor": meta.get("factor", 1.0),
                        "latched": meta.get("latched", False), "values": meta.get("values") or {},
                        "started_ms": row["ts_ms"], "until_ms": row.get("until_ms")})
        return out

    def save_state(self, key: str, state: dict) -> None:
        ts = int(state.get("ts_ms", 0))
        self._pending[key] = state
        if self.state_every_ms is not None and ts - self._written_ms.get(key, -10**18) >= self.state_every_ms:
            self._write(key)

    def defer_state(self, key: str, build: Any) -> None:
        """`save_state` of the dict `build()` returns, built only when written (a backtest saves its state at
        every evaluation and writes it at its batches); with `state_every_ms` it is built and saved now."""
        if self.state_every_ms is not None:
            self.save_state(key, build())
        else:
            self._pending[key] = build

    def _write(self, key: str) -> None:
        state = self._pending.pop(key, None)
        if state is None:
            return
        if callable(state):
            state = state()
        self.store.save_artifact(f"{STATE_KIND}:{self.namespace}:{key}", STATE_KIND,
                                 json.loads(json.dumps(state)), run_id=self.run_id)
        self._written_ms[key] = int(state.get("ts_ms", 0))

    def flush(self) -> None:
        """The manager's flush after a trip; with `state_every_ms=None` the state waits for `write_state`."""
        if self.state_every_ms is not None:
            self.write_state()

    def write_state(self) -> None:
        for key in list(self._pending):
            self._write(key)

    def load_state(self, key: str) -> dict | None:
        if key in self._pending:
            state = self._pending[key]
            return state() if callable(state) else state
        art = self.store.load_artifact(f"{STATE_KIND}:{self.namespace}:{key}")
        return dict(art["signature"]) if art else None
