"""`store: sqlite` — the embedded default store (one file, WAL journal)."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field

from components.store.jsonenc import json_dumps
from registry import Params, register
from components.store.base import Store


@register("store", "sqlite")
class SqliteStore(Store):
    """Embedded SQLite store (WAL); market data and every run's decisions, orders, fills, trips."""

    class Params(Params):
        path: str = Field("outputs/scalp.db", description="database file (relative = to the working dir); "
                                                           "':memory:' for a throwaway store")
        wal: bool = Field(True, description="write-ahead log: readers never block the writer")
        migrate: bool = Field(True, description="upgrade the schema to the newest revision on first use")
        batch_rows: int = Field(5000, ge=1, description="rows per executemany batch")

    def __init__(self, p: "SqliteStore.Params") -> None:
        self.p = p
        self.batch_rows = p.batch_rows
        super().__init__(f"sqlite:///{p.path}", migrate=p.migrate)

    def _create_engine(self):
        from sqlalchemy import create_engine, event
        if self.p.path != ":memory:":
            Path(self.p.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(self._url, json_serializer=json_dumps)
        wal = self.p.wal and self.p.path != ":memory:"

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            if wal:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: durable at checkpoints, fast commits
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
        return eng
