"""What a store knows of earlier sessions: which runs are still alive, their fills, orders and positions."""
from __future__ import annotations

import json
import logging
import math
import os
import socket
from dataclasses import dataclass, field
from typing import Any

from components.types.orders import Fill, Position

log = logging.getLogger("scalp.live")
FINAL = ("done", "cancel")
PROCESS_KEY = "_process"             # runs.config key: which process runs it (pid, host, kernel start tick)
CLOSED_WINDOW_MS = 7 * 86_400_000    # Upbit answers /v1/orders/closed for at most 7 days
SCAN_MARGIN_MS = 60_000              # clock slack between this machine and the exchange
PRIOR_KIND = "prior_holdings"


# ---- which runs are still alive -------------------------------------------------------------------
def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start tick) of `pid` from /proc/<pid>/stat (fields 3 and 22); None where /proc cannot say.
    The start tick tells a reused pid from the original; state Z is a killed process nobody reaped yet."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


def process_tag() -> dict:
    """Recorded in the run's config at start, so a later start can tell whether this process still lives."""
    pid = os.getpid()
    stat = _proc_stat(pid)
    return {"pid": pid, "host": socket.gethostname(), "start": stat[1] if stat else None}


def alive(tag: Any) -> bool | None:
    """True/False when it can be known; None for runs without a tag (older runs) or from another host."""
    if not isinstance(tag, dict) or tag.get("host") != socket.gethostname():
        return None
    pid = int(tag.get("pid") or 0)
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # another user's process: alive
        pass
    stat = _proc_stat(pid)
    if stat is None:
        return True
    state, start = stat
    return state != "Z" and (tag.get("start") is None or start == tag["start"])


def mark_crashed(store: Any, own_run_id: int | None) -> list[int]:
    """Runs left `running` whose process is gone become `crashed`; a run of a live process is never touched."""
    out = []
    for r in store.runs():
        if r.get("status") != "running" or r["id"] == own_run_id:
            continue
        if alive((r.get("config") or {}).get(PROCESS_KEY)) is False:
            store.finish_run(r["id"], status="crashed")
            log.warning(json.dumps({"event": "run_crashed", "run_id": r["id"], "mode": r.get("mode"),
                                    "started_ms": r.get("started_ms")}))
            out.append(r["id"])
    return out


# ---- what the store knows ----------------------------------------------------------------------
@dataclass
class StoredBook:
    """Earlier runs of one mode in a store: their fills (oldest first) and the latest row of each order."""
    runs: list[dict] = field(default_factory=list)
    fills: list[dict] = field(default_factory=list)
    orders: dict[str, dict] = field(default_factory=dict)         # identifier -> latest row
    booked: dict[str, list] = field(default_factory=dict)         # order uuid -> [volume, funds, fee]
    position_ms: dict[str, int] = field(default_factory=dict)     # market -> time of its latest position row

    def open_orders(self) -> list[dict]:
        """Orders whose last stored state is not final (resting, or unconfirmed at a stop)."""
        return [o for o in self.orders.values() if o.get("state") not in (*FINAL, "rejected")]


def stored_book(store: Any, mode: str, exclude: int | None = None) -> StoredBook:
    book = StoredBook()
    if store is None:
        return book
    book.runs = sorted((r for r in store.runs() if r.get("mode") == mode and r["id"] != exclude),
                       key=lambda r: r["id"])
    for r in book.runs:
        for f in store.records("fills", r["id"]):
            book.fills.append(f)
            b = book.booked.setdefault(str(f["order_uuid"]), [0.0, 0.0, 0.0])
            b[0] += f["volume"]
            b[1] += f["price"] * f["volume"]
            b[2] += f["fee_krw"]
        for o in store.records("orders", r["id"]):
            if o.get("identifier"):
                book.orders[o["identifier"]] = o
        for p in store.records("positions", r["id"]):
            book.position_ms[p["market"]] = max(book.position_ms.get(p["market"], 0), int(p["ts_ms"]))
    book.fills.sort(key=lambda f: f["ts_ms"])
    return book


def walk_positions(fills: list[Any]) -> dict[str, Position]:
    """Positions the fills add up to (market -> Position, cost incl. buy fees), as the ledger books them."""
    out: dict[str, Position] = {}
    for f in sorted(fills, key=lambda f: _get(f, "ts_ms")):
        fill = f if isinstance(f, Fill) else Fill(f["market"], str(f["order_uuid"]), f["side"], f["price"],
                                                  f["volume"], f["fee_krw"], f["ts_ms"], bool(f.get("maker")))
        out.setdefault(fill.market, Position(fill.market)).apply(fill)
    return out


def _get(f: Any, k: str) -> Any:
    return f[k] if isinstance(f, dict) else getattr(f, k)


def scan_since_ms(runs: list[dict], now_ms: int) -> int:
    """Closed orders are scanned from the start of the last run that ended `done` (its fills are all stored)
    on, so every later run (crashed, stopped unconfirmed, failed: their last fills may be unbooked) is
    covered; with no clean run, from the oldest run; at most 7 days back (Upbit's window)."""
    start = None
    for r in reversed(runs):
        start = r.get("started_ms")
        if r.get("status") == "done":
            break
    if start is None:
        return now_ms
    return max(int(start) - SCAN_MARGIN_MS, now_ms - CLOSED_WINDOW_MS + SCAN_MARGIN_MS)


def prior_of(store: Any, run_id: int) -> dict[str, float]:
    """The prior holdings a live run recorded when it resumed ({} if it recorded none)."""
    a = store.load_artifact(f"run-{run_id}-prior")
    return {m: float(v) for m, v in ((a or {}).get("signature") or {}).items() if isinstance(v, (int, float))
            and math.isfinite(v)}
