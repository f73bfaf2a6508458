"""Session files: `<store folder>/sessions/<run_id>.json` says which paper/live session runs where (pid, port)."""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from engine.conf import plain


def sessions_dir(cfg: Any) -> Path:
    """Beside the SQLite file of `store` (outputs/sessions for the default outputs/scalp.db); `run.out_dir`/sessions
    for a store without a file (PostgreSQL, :memory:)."""
    node = plain(cfg.get("store")) or {}
    path = str(node.get("path") or "")
    if node.get("component", "sqlite") == "sqlite" and path and path != ":memory:":
        return Path(path).expanduser().parent / "sessions"
    run = plain(cfg.get("run")) or {}
    return Path(str(run.get("out_dir") or "outputs")).expanduser() / "sessions"


def write_session(folder: Path, run_id: int | None, mode: str, host: str, port: int) -> Path:
    """Write this process's session file (atomically: a reader never sees half of it); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{run_id if run_id is not None else 'norun'}-{os.getpid()}.json"
    from engine.live.history import process_tag
    info = {"run_id": run_id, "pid": os.getpid(), "hostname": socket.gethostname(), "host": host, "port": port,
            "mode": mode, "started": time.time(), "proc": process_tag()}
    path = folder / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info), encoding="utf-8")
    os.replace(tmp, path)
    return path


def list_sessions(folder: Path) -> list[dict]:
    """Sessions of this machine whose process is alive, newest first; files of dead processes are skipped
    (and removed, so the folder does not fill up with crashed runs)."""
    if not folder.is_dir():
        return []
    out = []
    for f in folder.glob("*.json"):
        try:
            info = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if info.get("hostname") != socket.gethostname():
            continue
        from engine.live.history import alive     # pid + process start time: a reused pid is not the session
        if not alive(info.get("proc")):
            try:
                f.unlink()
            except OSError:
                pass
            continue
        out.append({**info, "file": str(f)})
    return sorted(out, key=lambda s: s.get("started") or 0, reverse=True)


def url_of(info: dict) -> str:
    host = info.get("host") or "127.0.0.1"
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{host}:{int(info['port'])}"
