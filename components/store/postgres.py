"""`store: postgres` — PostgreSQL store: market data in monthly RANGE partitions on ts_ms, or TimescaleDB hypertables."""
from __future__ import annotations

import os
from typing import Literal

from pydantic import Field

from registry import Params, register
from components.store import partitions
from components.store.base import Store


@register("store", "postgres")
class PostgresStore(Store):
    """PostgreSQL store; the URL comes only from an environment variable and is never printed."""

    class Params(Params):
        url_env: str = Field("SCALP_PG_URL", description="environment variable holding the database URL "
                                                         "(postgresql+psycopg://user:pass@host/db)")
        timescale: Literal["auto", "off", "require"] = Field(
            "auto", description="auto: hypertables when the timescaledb extension exists, else native partitions")
        months_ahead: int = Field(1, ge=0, le=24, description="partitions created ahead of the newest row")
        migrate: bool = Field(True, description="upgrade the schema to the newest revision on first use")
        batch_rows: int = Field(5000, ge=1, description="rows per executemany batch")

    def __init__(self, p: "PostgresStore.Params") -> None:
        self.p = p
        self.timescale = p.timescale
        self.batch_rows = p.batch_rows
        self._parts: set[str] = set()
        self._layout: dict[str, bool] = {}
        super().__init__("postgresql+psycopg://", migrate=p.migrate)

    def _lock_in(self, conn) -> None:
        """An advisory lock for this transaction: concurrent first opens migrate one after the other."""
        from sqlalchemy import text
        conn.execute(text("SELECT pg_advisory_xact_lock(7261)"))    # any constant: "scalp schema"

    def _create_engine(self):
        from sqlalchemy import create_engine
        url = os.environ.get(self.p.url_env)
        if not url:
            raise RuntimeError(f"store.url_env: environment variable {self.p.url_env} is not set")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        self._url = url
        return create_engine(url, hide_parameters=True)

    def __repr__(self) -> str:
        return f"PostgresStore(url_env={self.p.url_env})"

    def layout(self, table: str) -> str:
        """'partitioned' or 'hypertable'/'plain' (as the first migration made it)."""
        if table not in self._layout:
            with self.engine.connect() as conn:
                self._layout[table] = partitions.is_partitioned(conn, table)
        return "partitioned" if self._layout[table] else "other"

    def _before_market_insert(self, table: str, first_ms: int, last_ms: int) -> None:
        if self.layout(table) != "partitioned":
            return
        from sqlalchemy import text
        todo = [(s, e) for s, e in partitions.months(first_ms, last_ms, self.p.months_ahead)
                if partitions.partition_name(table, s) not in self._parts]
        if not todo:
            return
        with self.engine.begin() as conn:
            for start, end in todo:
                conn.execute(text(partitions.create_partition_sql(table, start, end)))
                self._parts.add(partitions.partition_name(table, start))

    def ensure_partitions(self, table: str, first_ms: int, last_ms: int) -> list[str]:
        """Create (if missing) the monthly partitions covering [first_ms, last_ms] + months_ahead; their names."""
        self._before_market_insert(table, first_ms, last_ms)
        return [partitions.partition_name(table, s) for s, _ in partitions.months(first_ms, last_ms,
                                                                                  self.p.months_ahead)]
