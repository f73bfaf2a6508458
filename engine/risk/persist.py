"""Persistence of kill-switch trips and risk state so a restart keeps every trip until it expires (SQLite)."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Protocol


class RiskPersistence(Protocol):
    """What the risk manager needs from a store. Trip records are dicts (ActiveTrip.to_record())."""

    def save_trip(self, rec: dict) -> int: ...
    def clear_trip(self, trip_id: int, ts_ms: int) -> None: ...
    def load_active_trips(self, ts_ms: int) -> list[dict]: ...
    def save_state(self, key: str, state: dict) -> None: ...
    def load_state(self, key: str) -> dict | None: ...


class MemoryRiskPersistence:
    """In-process persistence (tests, and backtests that need no restart)."""

    def __init__(self) -> None:
        self.trips: dict[int, dict] = {}
        self.state: dict[str, dict] = {}

    def save_trip(self, rec: dict) -> int:
        trip_id = len(self.trips) + 1
        self.trips[trip_id] = {**rec, "id": trip_id, "cleared_ms": None}
        return trip_id

    def clear_trip(self, trip_id: int, ts_ms: int) -> None:
        if trip_id in self.trips:
            self.trips[trip_id]["cleared_ms"] = ts_ms

    def load_active_trips(self, ts_ms: int) -> list[dict]:
        return [dict(r) for r in self.trips.values() if r["cleared_ms"] is None
                and (r["until_ms"] is None or r["until_ms"] > ts_ms)]

    def save_state(self, key: str, state: dict) -> None:
        self.state[key] = json.loads(json.dumps(state))

    def load_state(self, key: str) -> dict | None:
        return self.state.get(key)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS risk_trips (
  id INTEGER PRIMARY KEY AUTOINCREMENT, switch TEXT NOT NULL, component TEXT NOT NULL, action TEXT NOT NULL,
  reason TEXT NOT NULL, market TEXT NOT NULL DEFAULT '', factor REAL NOT NULL DEFAULT 1.0,
  latched INTEGER NOT NULL DEFAULT 0, values_json TEXT NOT NULL DEFAULT '{}',
  started_ms INTEGER NOT NULL, until_ms INTEGER, cleared_ms INTEGER);
CREATE INDEX IF NOT EXISTS ix_risk_trips_open ON risk_trips (cleared_ms, until_ms);
CREATE TABLE IF NOT EXISTS risk_state (key TEXT PRIMARY KEY, state_json TEXT NOT NULL);
"""


class SqliteRiskPersistence:
    """Trips and risk state in an SQLite file (WAL; own tables `risk_trips`, `risk_state`).

    Stdlib sqlite3 rather than the DATA store so the risk layer persists even without a configured store;
    it can share the store's database file (different table names)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def save_trip(self, rec: dict) -> int:
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO risk_trips (switch, component, action, reason, market, factor, latched, values_json,"
                " started_ms, until_ms) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (rec["switch"], rec.get("component") or rec["switch"], rec["action"], rec.get("reason", ""),
                 rec.get("market") or "", float(rec.get("factor", 1.0)), int(bool(rec.get("latched"))),
                 json.dumps(rec.get("values") or {}), int(rec["started_ms"]), rec.get("until_ms")))
            return int(cur.lastrowid)

    def clear_trip(self, trip_id: int, ts_ms: int) -> None:
        with self._lock:
            self._db.execute("UPDATE risk_trips SET cleared_ms=? WHERE id=? AND cleared_ms IS NULL",
                             (int(ts_ms), int(trip_id)))

    def load_active_trips(self, ts_ms: int) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, switch, component, action, reason, market, factor, latched, values_json, started_ms,"
                " until_ms FROM risk_trips WHERE cleared_ms IS NULL AND (until_ms IS NULL OR until_ms > ?)"
                " ORDER BY id", (int(ts_ms),)).fetchall()
        keys = ("id", "switch", "component", "action", "reason", "market", "factor", "latched", "values",
                "started_ms", "until_ms")
        out = []
        for row in rows:
            rec = dict(zip(keys, row))
            rec["values"] = json.loads(rec["values"] or "{}")
            rec["latched"] = bool(rec["latched"])
            out.append(rec)
        return out

    def save_state(self, key: str, state: dict) -> None:
        with self._lock:
            self._db.execute("INSERT INTO risk_state (key, state_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                             " SET state_json=excluded.state_json", (key, json.dumps(state)))

    def load_state(self, key: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT state_json FROM risk_state WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None
