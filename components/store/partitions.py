"""PostgreSQL time layout of market-data tables: monthly RANGE partitions on ts_ms, or TimescaleDB hypertables."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

log = logging.getLogger("scalp.store")

MARKET_TABLES = ("candles", "trades", "books")
CHUNK_MS = 30 * 24 * 3600 * 1000       # hypertable chunk: ~a month of ms, like the native partitions


def month_start_ms(ts_ms: int) -> int:
    d = datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc)
    return int(datetime(d.year, d.month, 1, tzinfo=timezone.utc).timestamp() * 1000)


def next_month_ms(start_ms: int) -> int:
    d = datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc)
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return int(datetime(y, m, 1, tzinfo=timezone.utc).timestamp() * 1000)


def months(first_ms: int, last_ms: int, ahead: int = 0) -> list[tuple[int, int]]:
    """[start, end) ms of every UTC month touching [first_ms, last_ms], plus `ahead` months after."""
    out, start = [], month_start_ms(first_ms)
    stop = month_start_ms(last_ms)
    for _ in range(ahead):
        stop = next_month_ms(stop)
    while start <= stop:
        end = next_month_ms(start)
        out.append((start, end))
        start = end
    return out


def partition_name(table: str, start_ms: int) -> str:
    d = datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc)
    return f"{table}_p{d.year:04d}{d.month:02d}"


def create_partition_sql(table: str, start_ms: int, end_ms: int) -> str:
    if table not in MARKET_TABLES:
        raise ValueError(f"not a market-data table: {table}")
    return (f"CREATE TABLE IF NOT EXISTS {partition_name(table, start_ms)} PARTITION OF {table} "
            f"FOR VALUES FROM ({int(start_ms)}) TO ({int(end_ms)})")


def hypertable_sql(table: str, chunk_ms: int = CHUNK_MS) -> str:
    """TimescaleDB: turn a plain table (integer ms time column) into a hypertable."""
    if table not in MARKET_TABLES:
        raise ValueError(f"not a market-data table: {table}")
    return (f"SELECT create_hypertable('{table}', 'ts_ms', chunk_time_interval => {int(chunk_ms)}, "
            f"if_not_exists => TRUE, migrate_data => TRUE)")


def timescale_available(bind) -> bool:
    from sqlalchemy import text
    row = bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).first()
    return row is not None


def choose_layout(bind, timescale: str = "auto") -> str:
    """'plain' (SQLite), 'partitioned' (native PostgreSQL) or 'hypertable' (TimescaleDB present / required)."""
    if bind.dialect.name != "postgresql":
        return "plain"
    if timescale == "off":
        log.info('{"event": "store.layout", "layout": "partitioned", "why": "timescale=off"}')
        return "partitioned"
    have = timescale_available(bind)
    if timescale == "require" and not have:
        raise RuntimeError("store.timescale=require but the timescaledb extension is not available on this server")
    if have:
        from sqlalchemy import text
        bind.execute(text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
        log.info('{"event": "store.layout", "layout": "hypertable", "why": "timescaledb extension found"}')
        return "hypertable"
    log.info('{"event": "store.layout", "layout": "partitioned", "why": "timescaledb not installed"}')
    return "partitioned"


def offline_layout(dialect: str, timescale: str) -> str:
    """Layout for a generated SQL script (no server to ask): hypertables only when required explicitly."""
    if dialect != "postgresql":
        return "plain"
    return "hypertable" if timescale == "require" else "partitioned"


def is_partitioned(bind, table: str) -> bool:
    from sqlalchemy import text
    row = bind.execute(text("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                            "WHERE c.relname = :t"), {"t": table}).first()
    return row is not None
