"""Consistent online backup of the store: SQLite's backup API, or pg_dump for PostgreSQL."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any


class BackupError(RuntimeError):
    """A backup that could not be taken; the message names what is missing (never a password)."""


def backup(store: Any, dest: str | Path) -> Path:
    """Write a consistent copy of `store` to `dest` (refuses to overwrite) while sessions may be writing."""
    dest = Path(dest).expanduser()
    if dest.exists():
        raise BackupError(f"{dest} exists")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dialect = store.engine.dialect.name
    if dialect == "sqlite":
        return _sqlite(store, dest)
    if dialect == "postgresql":
        return _postgres(store, dest)
    raise BackupError(f"no backup for a {dialect} store")


def _sqlite(store: Any, dest: Path) -> Path:
    path = str(getattr(store.p, "path", ""))
    if not path or path == ":memory:":
        raise BackupError("store.path: an in-memory store has nothing to back up")
    if not Path(path).expanduser().is_file():
        raise BackupError(f"store.path: {path} does not exist")
    src = sqlite3.connect(str(Path(path).expanduser()))
    out = sqlite3.connect(str(dest))
    try:
        src.backup(out, pages=4096)     # page batches: a writer waits at most one batch, WAL readers never
    finally:
        out.close()
        src.close()
    return dest


def _postgres(store: Any, dest: Path) -> Path:
    """pg_dump -Fc (restore with pg_restore); credentials travel in PG* variables, never on a command line."""
    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupError("pg_dump is not on PATH (install the PostgreSQL client tools)")
    url = store.engine.url
    env = {**os.environ, "PGHOST": url.host or "", "PGPORT": str(url.port or 5432), "PGUSER": url.username or "",
           "PGDATABASE": url.database or ""}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if url.query.get("options"):           # e.g. -csearch_path=... in the store's URL
        env["PGOPTIONS"] = str(url.query["options"])
    run = subprocess.run([exe, "-Fc", "--no-owner", "-f", str(dest)], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        dest.unlink(missing_ok=True)
        raise BackupError(f"pg_dump exited {run.returncode}: {run.stderr.strip()[:300]}")
    return dest
