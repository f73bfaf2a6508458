"""The store: one SQLModel/SQLAlchemy schema on SQLite or PostgreSQL, Alembic-migrated, batch inserts."""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from components.store.market import MarketData
from components.store.redact import redact

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0006"


def now_ms() -> int:
    return int(time.time() * 1000)


def migration_sql(dialect: str = "postgresql", timescale: str = "off", revision: str = "head") -> str:
    """The DDL the migrations would run, as a script (Alembic offline mode; no database needed)."""
    import io

    from alembic import command
    from alembic.config import Config
    buf = io.StringIO()
    cfg = Config(output_buffer=buf)
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes.update(dialect=dialect, buffer=buf, timescale=timescale)
    command.upgrade(cfg, revision, sql=True)
    return buf.getvalue()


def _as_dict(row: Any) -> dict:
    if type(row) is dict:                 # the common case, without the ABC check
        return dict(row)
    if isinstance(row, Mapping):
        return dict(row)
    if dataclasses.is_dataclass(row):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    raise TypeError(f"store rows must be dicts or dataclasses, got {type(row).__name__}")


_SPECS: dict = {}


# Fields rows carry that their table does not store: a Fill's taker cost split is summed per round trip by
# the ledger (and stored with the run summary), not per fill.
NOT_STORED = {"fills": ("spread_krw", "slippage_krw", "tick_krw")}


def _row_spec(model) -> tuple[frozenset, list]:
    """(column names, [(name, default_factory, default)] of the non-null columns a row may omit), per model."""
    spec = _SPECS.get(model)
    if spec is None:
        table = model.__table__
        cols = frozenset(c.name for c in table.columns) - {"id"}
        required = []
        for c in table.columns:
            if c.name != "id" and not c.nullable and c.default is None:
                f = model.model_fields.get(c.name)
                default = getattr(f, "default", None)
                if default is not None and repr(default) == "PydanticUndefined":
                    default = None
                required.append((c.name, getattr(f, "default_factory", None), default))
        spec = _SPECS[model] = (cols, required)
    return spec


class Store(MarketData):
    """Base of the `sqlite` and `postgres` store components (connects lazily, on first use)."""

    timescale = "off"
    batch_rows = 5000

    def __init__(self, url: str, migrate: bool = True) -> None:
        self._url = url                   # may hold a password: never printed (see __repr__)
        self._migrate = migrate
        self._engine = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dialect={self._url.split(':', 1)[0]})"

    # -- connection and schema ---------------------------------------------------------------
    @property
    def engine(self):
        if self._engine is None:
            self._engine = self._create_engine()
            if self._migrate:
                self.upgrade()
        return self._engine

    def _create_engine(self):
        from sqlalchemy import create_engine
        return create_engine(self._url)

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` in place (Alembic; a store made by an older revision upgrades)."""
        from alembic import command
        from alembic.config import Config
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["timescale"] = self.timescale
        eng = self._engine if self._engine is not None else self.engine
        # Processes that open one new store together (a -m sweep's jobs, tune workers) would each see no
        # schema and create the same tables: the migration runs under a lock the dialect provides.
        with self._schema_lock(), eng.begin() as conn:
            self._lock_in(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def _schema_lock(self):
        """A lock held across processes while the schema upgrades (none by default; SQLite: a lock file)."""
        import contextlib
        return contextlib.nullcontext()

    def _lock_in(self, conn) -> None:
        """Take a transaction-scoped lock on `conn` before upgrading (PostgreSQL: an advisory lock)."""

    def revision(self) -> str | None:
        from sqlalchemy import text
        with self.engine.connect() as conn:
            try:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            except Exception:
                return None
        return row[0] if row else None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- generic batch insert ----------------------------------------------------------------
    def _insert(self, table, rows: list[dict], ignore_conflicts: bool = False) -> int:
        if not rows:
            return 0
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table)
        if ignore_conflicts:
            stmt = stmt.on_conflict_do_nothing()
        with self.engine.begin() as conn:
            for i in range(0, len(rows), self.batch_rows):
                conn.execute(stmt, rows[i:i + self.batch_rows])
        return len(rows)

    def _rows(self, model, run_id: int | None, rows: Iterable[Any]) -> list[dict]:
        table = model.__table__
        cols, required = _row_spec(model)
        need = frozenset(r[0] for r in required)
        skip = NOT_STORED.get(table.name, ())
        out = []
        for n, raw in enumerate(rows):
            d = _as_dict(raw)
            for k in skip:
                d.pop(k, None)
            if run_id is not None:
                d["run_id"] = run_id
            if not cols.issuperset(d):
                extra = {k: d.pop(k) for k in list(d) if k not in cols}
                if "extra" not in cols:
                    raise ValueError(f"{table.name} row {n}: unknown fields {sorted(extra)}; "
                                     f"columns: {sorted(cols)}")
                d["extra"] = {**d.get("extra", {}), **extra}
            if need <= d.keys():            # every non-null field present (the common case)
                out.append(d)
                continue
            for name, factory, default in required:
                if name not in d:
                    if factory is not None:
                        d[name] = factory()
                    elif default is not None:
                        d[name] = default
                    else:
                        raise ValueError(f"{table.name} row {n}: missing field '{name}'")
            out.append(d)
        return out

    def _select(self, model, *where, order=None) -> list[dict]:
        from sqlalchemy import select
        table = model.__table__
        stmt = select(table).where(*where).order_by(*(order or [table.c.id]))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    # -- runs ----------------------------------------------------------------------------------
    def start_run(self, name: str, config: Mapping[str, Any] | None = None, mode: str = "backtest",
                  started_ms: int | None = None) -> int:
        """Record a run with its resolved config (secrets redacted); returns run_id."""
        from sqlalchemy import insert
        from components.store.models import RunRow
        row = {"name": name, "mode": mode, "started_ms": started_ms or now_ms(), "status": "running",
               "config": redact(dict(config or {}))}
        with self.engine.begin() as conn:
            return int(conn.execute(insert(RunRow.__table__).values(**row)).inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str = "done", finished_ms: int | None = None) -> None:
        from sqlalchemy import update
        from components.store.models import RunRow
        t = RunRow.__table__
        with self.engine.begin() as conn:
            conn.execute(update(t).where(t.c.id == run_id).values(status=status,
                                                                  finished_ms=finished_ms or now_ms()))

    def runs(self) -> list[dict]:
        from components.store.models import RunRow
        return self._select(RunRow)

    # -- trading records (batch) ----------------------------------------------------------------
    def _record(self, model_name: str, run_id: int, rows: Iterable[Any]) -> int:
        from components.store import models
        model = getattr(models, model_name)
        out = self._rows(model, run_id, rows)
        if self.engine.dialect.name == "sqlite" and out:
            return self._insert_sqlite(model.__table__, out)
        return self._insert(model.__table__, out)

    def _insert_sqlite(self, table, rows: list[dict]) -> int:
        """The trading tables' batch insert on SQLite: the columns' own bind processors (JSON encoding,
        booleans) applied in one pass and one executemany per batch, without building a statement per row
        set; the stored values are those of `_insert`. Rows with differing keys take `_insert`."""
        from operator import itemgetter
        names = list(rows[0])
        try:
            params = list(map(itemgetter(*names), rows))
        except KeyError:
            return self._insert(table, rows)
        if sum(map(len, rows)) != len(names) * len(rows):     # some row has fields the first has not
            return self._insert(table, rows)
        if len(names) == 1:
            params = [(v,) for v in params]
        fill = [c for c in table.columns if c.name not in rows[0] and c.name != "id" and c.default is not None]
        if any(not c.default.is_scalar for c in fill):
            return self._insert(table, rows)
        if fill:                              # the Python-side column defaults SQLAlchemy would apply
            extra = tuple(c.default.arg for c in fill)
            params = [v + extra for v in params]
            names += [c.name for c in fill]
        dialect = self.engine.dialect
        procs = [table.c[k].type._cached_bind_processor(dialect) for k in names]
        if any(p is not None for p in procs):
            cols = [c if p is None else list(map(p, c)) for c, p in zip(zip(*params), procs)]
            params = list(zip(*cols))
        quoted = ", ".join('"' + k + '"' for k in names)
        marks = ", ".join("?" * len(names))
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
        with self.engine.begin() as conn:
            for i in range(0, len(params), self.batch_rows):
                conn.exec_driver_sql(sql, params[i:i + self.batch_rows])
        return len(rows)

    @property
    def json_as_text(self) -> bool:
        """True when `record_tuples(..., json_text=True)` writes JSON text as it is (SQLite stores the
        serializer's text; other databases take the values decoded)."""
        return self.engine.dialect.name == "sqlite"

    def record_tuples(self, table: str, run_id: int, fields: tuple[str, ...], rows: list[tuple],
                      json_text: bool = False) -> int:
        """Rows of a trading table ('decisions', 'equity', ...) as tuples in `fields` order — a backtest's
        columnar buffers, without a dict per row. On SQLite the columns' own bind processors run once per
        column and one executemany per batch writes them (the values `_insert` would store); elsewhere, or
        when `fields` leaves a column out, they take the dict path. `json_text`: the JSON columns hold the
        text `json_dumps` makes of their values already (written as is on SQLite, decoded elsewhere)."""
        from sqlalchemy import JSON

        from components.store import models
        model = {m.__tablename__: m for m in (models.DecisionRow, models.OrderRow, models.FillRow,
                                               models.PositionRow, models.EquityRow)}[table]
        t = model.__table__
        needed = {c.name for c in t.columns} - {"id", "run_id"}
        if not rows:
            return 0
        is_json = [isinstance(t.c[k].type, JSON) if k in t.c else False for k in fields]
        if self.engine.dialect.name != "sqlite" or set(fields) != needed:
            if json_text and any(is_json):
                rows = [tuple(json.loads(v) if j else v for v, j in zip(r, is_json)) for r in rows]
            return self._record(model.__name__, run_id, [dict(zip(fields, r)) for r in rows])
        dialect = self.engine.dialect
        procs = [None if json_text and j else t.c[k].type._cached_bind_processor(dialect)
                 for k, j in zip(fields, is_json)]
        cols = [c if p is None else list(map(p, c)) for c, p in zip(zip(*rows), procs)]
        params = list(zip([run_id] * len(rows), *cols))
        names = ("run_id",) + tuple(fields)
        sql = (f'INSERT INTO "{t.name}" (' + ", ".join(f'"{k}"' for k in names) + ") VALUES ("
               + ", ".join("?" * len(names)) + ")")
        with self.engine.begin() as conn:
            for i in range(0, len(params), self.batch_rows):
                conn.exec_driver_sql(sql, params[i:i + self.batch_rows])
        return len(rows)

    def record_decisions(self, run_id: int, rows: Iterable[Any]) -> int:
        return self._record("DecisionRow", run_id, rows)

    def record_decision_block(self, run_id: int, columns: Mapping[str, Any]) -> int:
        """A backtest's batch of decisions as one column block (revision 0006, components/store/blocks.py);
        `records("decisions")` reads it back as the rows `record_decisions` would have stored."""
        from components.store import blocks
        from components.store.models import DecisionBlockRow
        row = blocks.encode(columns)
        if row["n_rows"]:
            self._insert(DecisionBlockRow.__table__, [{**row, "run_id": run_id}])
        return row["n_rows"]

    def record_orders(self, run_id: int, rows: Iterable[Any]) -> int:
        return self._record("OrderRow", run_id, rows)

    def record_fills(self, run_id: int, rows: Iterable[Any]) -> int:
        return self._record("FillRow", run_id, rows)

    def record_positions(self, run_id: int, rows: Iterable[Any]) -> int:
        return self._record("PositionRow", run_id, rows)

    def record_equity(self, run_id: int, rows: Iterable[Any]) -> int:
        return self._record("EquityRow", run_id, rows)

    def record_order_events(self, run_id: int, rows: Iterable[Any]) -> int:
        """Audit rows of paper/live orders (revision 0004): one per state change."""
        return self._record("OrderEventRow", run_id, rows)

    def records(self, table: str, run_id: int) -> list[dict]:
        """Rows of one trading table ('decisions', 'orders', 'fills', 'positions', 'equity', 'trips',
        'order_events') of a run."""
        from components.store import blocks, models
        if table == "decisions":              # the row table and a backtest's column blocks
            return blocks.decisions(self, run_id)
        model = {m.__tablename__: m for m in (models.OrderRow, models.FillRow,
                                               models.PositionRow, models.EquityRow, models.TripRow,
                                               models.OrderEventRow)}[table]
        return self._select(model, model.__table__.c.run_id == run_id)

    # -- kill-switch trips -----------------------------------------------------------------------
    def record_trip(self, run_id: int | None, switch: str, action: str, reason: str, ts_ms: int,
                    until_ms: int | None = None) -> int:
        from sqlalchemy import insert
        from components.store.models import TripRow
        row = dict(run_id=run_id, switch=switch, action=action, reason=reason, ts_ms=ts_ms, until_ms=until_ms)
        with self.engine.begin() as conn:
            return int(conn.execute(insert(TripRow.__table__).values(**row)).inserted_primary_key[0])

    def record_trips(self, rows: list[dict]) -> int:
        """Many finished trips at once (run_id, switch, action, reason, ts_ms, until_ms, cleared_ms): one batch."""
        from components.store.models import TripRow
        return self._insert(TripRow.__table__, [dict(r) for r in rows])

    def clear_trip(self, trip_id: int, cleared_ms: int | None = None) -> None:
        from sqlalchemy import update
        from components.store.models import TripRow
        t = TripRow.__table__
        with self.engine.begin() as conn:
            conn.execute(update(t).where(t.c.id == trip_id).values(cleared_ms=cleared_ms or now_ms()))

    def load_active_trips(self, now_ms: int) -> list[dict]:
        """Trips still in force at `now_ms`: not cleared, and no `until_ms` or `until_ms` > now (restart-safe)."""
        from sqlalchemy import or_
        from components.store.models import TripRow
        t = TripRow.__table__
        return self._select(TripRow, t.c.cleared_ms.is_(None), t.c.ts_ms <= now_ms,
                            or_(t.c.until_ms.is_(None), t.c.until_ms > now_ms))

    # -- model artifacts -------------------------------------------------------------------------
    def save_artifact(self, name: str, kind: str, signature: Mapping[str, Any], payload: bytes | None = None,
                      path: str | None = None, run_id: int | None = None) -> int:
        from sqlalchemy import insert
        from components.store.models import ArtifactRow
        row = dict(name=name, kind=kind, signature=dict(signature), payload=payload, path=path, run_id=run_id,
                   created_ms=now_ms())
        with self.engine.begin() as conn:
            return int(conn.execute(insert(ArtifactRow.__table__).values(**row)).inserted_primary_key[0])

    def load_artifact(self, name: str) -> dict | None:
        """The newest artifact saved under `name` (None if none)."""
        from components.store.models import ArtifactRow
        t = ArtifactRow.__table__
        rows = self._select(ArtifactRow, t.c.name == name, order=[t.c.id.desc()])
        return rows[0] if rows else None

    # -- trials (revision 0003) ------------------------------------------------------------------
    def record_trial(self, *, kind: str, config_hash: str, span_start_ms: int, span_end_ms: int, period_ms: int,
                     n_obs: int, trades: int, returns: list[float], sharpe: float | None = None,
                     skew: float | None = None, kurtosis: float | None = None, run_id: int | None = None) -> int:
        """One backtest / walk-forward / tuning run: what it tried (config hash), on what span, what it earned."""
        import math

        from sqlalchemy import insert
        from components.store.models import TrialRow

        def num(x):
            return float(x) if x is not None and math.isfinite(x) else None
        row = dict(kind=kind, config_hash=config_hash, span_start_ms=int(span_start_ms), span_end_ms=int(span_end_ms),
                   period_ms=int(period_ms), n_obs=int(n_obs), trades=int(trades), sharpe=num(sharpe),
                   skew=num(skew), kurtosis=num(kurtosis), returns=[float(r) for r in returns],
                   run_id=run_id, created_ms=now_ms())
        with self.engine.begin() as conn:
            return int(conn.execute(insert(TrialRow.__table__).values(**row)).inserted_primary_key[0])

    def trials_overlapping(self, start_ms: int, end_ms: int) -> list[dict]:
        """Trials whose data span overlaps [start_ms, end_ms], oldest first."""
        from components.store.models import TrialRow
        t = TrialRow.__table__
        return self._select(TrialRow, t.c.span_start_ms < end_ms, t.c.span_end_ms > start_ms, order=[t.c.id])
