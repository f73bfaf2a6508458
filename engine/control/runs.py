"""Stored runs: list, show and prune them (with their report folders) without touching market data."""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Tables whose rows belong to exactly one run, deleted with it (children first: every one references runs.id).
# decision_blocks: a backtest's decisions as column blocks (revision 0006), counted as the decisions they hold.
PER_RUN = ("decisions", "decision_blocks", "orders", "fills", "positions", "equity", "order_events")
SESSION_MODES = ("live",)     # a live restart rebuilds positions from every earlier live run's fills (paper: fresh)
VOLUME_EPS = 1e-9


def tables(store: Any) -> dict[str, Any]:
    """The store's tables as the database has them (reflected: the engine reaches no component's models)."""
    from sqlalchemy import MetaData
    meta = MetaData()
    meta.reflect(bind=store.engine, only=[*PER_RUN, "trips", "trials", "artifacts", "runs"])
    return dict(meta.tables)


def counts(store: Any) -> dict[int, dict[str, int]]:
    """{run id: {table: rows}} for the per-run tables (one GROUP BY per table)."""
    from sqlalchemy import func, select
    out: dict[int, dict[str, int]] = {}
    found = tables(store)
    with store.engine.connect() as conn:
        for name in PER_RUN:
            t = found[name]
            rows, key = (func.sum(t.c.n_rows), "decisions") if name == "decision_blocks" else (func.count(), name)
            for rid, n in conn.execute(select(t.c.run_id, rows).group_by(t.c.run_id)):
                per = out.setdefault(int(rid), {})
                per[key] = per.get(key, 0) + int(n)
    return out


def summary_of(store: Any, run_id: int) -> dict:
    a = store.load_artifact(f"run-{run_id}") or {}
    return a.get("signature") or {}


def report_dirs(store: Any, run: dict, out_dir: str) -> list[Path]:
    """Report folders of a run that lie inside `out_dir`: where its summary says the report went, and
    <out_dir>/run-<id> (`scalp report` rebuilds)."""
    root = Path(out_dir).resolve()
    found = []
    report = (summary_of(store, run["id"]).get("meta") or {}).get("report")
    for d in ([Path(report).parent] if report else []) + [root / f"run-{run['id']}"]:
        d = d.resolve()
        if d.is_dir() and d != root and root in d.parents and d not in found:
            found.append(d)
    return found


def parse_age_s(text: str) -> float:
    """'7d', '12h', '30m', '90s' or a plain number of days -> seconds."""
    units = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
    text = str(text).strip().lower()
    if text and text[-1] in units:
        value, unit = float(text[:-1]), units[text[-1]]
    else:
        value, unit = float(text), units["d"]
    if not value >= 0:
        raise ValueError(text)
    return value * unit


@dataclass
class Plan:
    """What a prune would do: runs to delete, runs kept with why (running, positions a restart needs)."""
    delete: list[dict] = field(default_factory=list)
    kept: list[tuple[dict, str]] = field(default_factory=list)


def plan_prune(store: Any, keep: int | None = None, older_than_s: float | None = None,
               now_ms: int | None = None) -> Plan:
    """Candidates: beyond the newest `keep` runs AND (if given) started more than `older_than_s` ago. Never a
    `running` run. A live run only together with every earlier live run, only where the fills up to it add up
    to no position (a restart rebuilds positions from them) and only once it ended more than Upbit's 7-day
    closed-order window ago (else a restart's scan would book its fills again): engine/live/history.py."""
    from engine.live.history import CLOSED_WINDOW_MS, walk_positions
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    plan = Plan()
    if keep is None and older_than_s is None:
        return plan
    runs = sorted(store.runs(), key=lambda r: r["id"])
    newest = {r["id"] for r in runs[max(len(runs) - keep, 0):]} if keep else set()
    fills: dict[str, list] = {m: [] for m in SESSION_MODES}
    prefix_ok = {m: True for m in SESSION_MODES}
    for r in runs:
        mode = r.get("mode")
        wanted = r["id"] not in newest and (
            older_than_s is None or now_ms - int(r.get("started_ms") or now_ms) > older_than_s * 1000)
        if mode in SESSION_MODES:
            fills[mode] += store.records("fills", r["id"])
        if not wanted:
            if mode in SESSION_MODES:
                prefix_ok[mode] = False
            continue
        if r.get("status") == "running":
            plan.kept.append((r, "running"))
            if mode in SESSION_MODES:
                prefix_ok[mode] = False
            continue
        if mode in SESSION_MODES:
            if not prefix_ok[mode]:
                plan.kept.append((r, "earlier_kept"))
                continue
            if now_ms - int(r.get("finished_ms") or r.get("started_ms") or now_ms) < CLOSED_WINDOW_MS:
                plan.kept.append((r, "recent_live"))
                prefix_ok[mode] = False
                continue
            held = {m: p.volume for m, p in walk_positions(fills[mode]).items() if abs(p.volume) > VOLUME_EPS}
            if held:
                plan.kept.append((r, "positions:" + ",".join(sorted(held))))
                prefix_ok[mode] = False
                continue
        plan.delete.append(r)
    return plan


def delete_runs(store: Any, run_ids: list[int], now_ms: int | None = None) -> dict[str, int]:
    """Delete runs and their rows in one transaction, children first. Kill-switch trips still in force and
    trials (the deflated Sharpe counts every trial) stay, detached from the run. {table: rows deleted}."""
    from sqlalchemy import and_, delete, func, or_, select, update
    if not run_ids:
        return {}
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    found = tables(store)
    done: dict[str, int] = {}
    with store.engine.begin() as conn:
        for name in PER_RUN:
            t = found[name]
            if name == "decision_blocks":       # reported as the decisions they held
                held = conn.execute(select(func.sum(t.c.n_rows)).where(t.c.run_id.in_(run_ids))).scalar()
                conn.execute(delete(t).where(t.c.run_id.in_(run_ids)))
                done["decisions"] = done.get("decisions", 0) + int(held or 0)
                continue
            done[name] = conn.execute(delete(t).where(t.c.run_id.in_(run_ids))).rowcount
        tr = found["trips"]
        active = and_(tr.c.cleared_ms.is_(None), or_(tr.c.until_ms.is_(None), tr.c.until_ms > now_ms))
        conn.execute(update(tr).where(tr.c.run_id.in_(run_ids), active).values(run_id=None))
        done["trips"] = conn.execute(delete(tr).where(tr.c.run_id.in_(run_ids))).rowcount
        tt = found["trials"]
        conn.execute(update(tt).where(tt.c.run_id.in_(run_ids)).values(run_id=None))
        at = found["artifacts"]
        done["artifacts"] = conn.execute(delete(at).where(at.c.run_id.in_(run_ids))).rowcount
        rt = found["runs"]
        done["runs"] = conn.execute(delete(rt).where(rt.c.id.in_(run_ids))).rowcount
    return done


def remove_dirs(dirs: list[Path]) -> int:
    n = 0
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        n += not d.exists()
    return n


def vacuum(store: Any) -> tuple[int, int] | None:
    """Give freed pages back to the file system: SQLite VACUUM ((bytes before, after)); PostgreSQL plain VACUUM
    of the per-run tables (space reusable, None). Blocks writers while it runs: only with no session running."""
    from pathlib import Path as _P
    dialect = store.engine.dialect.name
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if dialect == "sqlite":
            path = _P(str(getattr(store.p, "path", "")))

            def size() -> int:          # the database and its write-ahead log
                return sum(p.stat().st_size for p in (path, _P(f"{path}-wal")) if p.is_file())
            before = size()
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")     # in WAL mode the file shrinks here
            return before, size()
        for name in (*PER_RUN, "trips", "artifacts", "runs"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {name}")
    return None
