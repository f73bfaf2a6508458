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

    def _schema_lock(self):
        """An exclusive lock on `<path>.lock` while the schema upgrades (nothing to share for `:memory:`)."""
        import contextlib
        if self.p.path == ":memory:":
            return contextlib.nullcontext()
        return _file_lock(Path(self.p.path).expanduser().with_name(Path(self.p.path).name + ".lock"))

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


def _file_lock(path: Path):
    """flock on a side file: released by the OS if the holder dies, so a killed migration never wedges."""
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def held():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    return held()
