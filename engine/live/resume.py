"""Restart = resume: a live session rebuilds its positions and resolves its orders from the store and the exchange."""
from __future__ import annotations

import json
import logging
import math
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from components.types.orders import MIN_ORDER_KRW, Fill, Position
from engine.live.guard import is_own

log = logging.getLogger("scalp.live")
FINAL = ("done", "cancel")
PROCESS_KEY = "_process"             # runs.config key: which process runs it (pid, host, kernel start tick)
CLOSED_WINDOW_MS = 7 * 86_400_000    # Upbit answers /v1/orders/closed for at most 7 days
SCAN_MARGIN_MS = 60_000              # clock slack between this machine and the exchange
VOLUME_EPS = 1e-9
PRIOR_KIND = "prior_holdings"


# ---- which runs are still alive -------------------------------------------------------------------
def _proc_start(pid: int) -> str | None:
    """The kernel's start tick of `pid` (/proc/<pid>/stat field 22): tells a reused pid from the original."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_tag() -> dict:
    """Recorded in the run's config at start, so a later start can tell whether this process still lives."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "start": _proc_start(pid)}


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
    except PermissionError:          # someone else's live process
        pass
    start = tag.get("start")
    now = _proc_start(pid)
    return not (start is not None and now is not None and now != start)      # a reused pid is not our run


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
    """Closed orders are scanned from the start of the oldest run in the trailing streak of runs that did not
    end `done` (their last fills may be unbooked), else from the last run's start; at most 7 days back."""
    start = None
    for r in reversed(runs):
        start = r.get("started_ms")
        if r.get("status") == "done":
            break
    if start is None:
        return now_ms
    return max(int(start) - SCAN_MARGIN_MS, now_ms - CLOSED_WINDOW_MS + SCAN_MARGIN_MS)


# ---- the exchange side ---------------------------------------------------------------------------
def _call(ex: Any, name: str, **kw: Any) -> Any:
    """One REST call of the live client through the session's bridge (counted as api calls/errors)."""
    return ex._call(getattr(ex.rest, name)(**kw))


def _f(x: Any) -> float:
    try:
        return float(x) if x is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def own_open_orders(ex: Any) -> list[dict]:
    out, page = [], 1
    while True:
        rows = _call(ex, "orders_open", page=page, limit=100)
        out += [d for d in rows if is_own(_Obj(d))]
        if len(rows) < 100:
            return out
        page += 1


def closed_since(ex: Any, since_ms: int, limit: int = 1000) -> list[dict]:
    """Closed orders from `since_ms` on, oldest first; a full page moves the window to its last order's time."""
    from engine.live.exchange import iso_ms
    out: dict[str, dict] = {}
    start = since_ms
    while True:
        rows = _call(ex, "orders_closed", states=["done", "cancel"], start_time=_iso(start), limit=limit,
                     order_by="asc")
        new = [d for d in rows if str(d.get("uuid")) not in out]
        out.update((str(d.get("uuid")), d) for d in new)
        if len(rows) < limit or not new:
            return list(out.values())
        start = max(start, max(iso_ms(d.get("created_at")) or start for d in new))


class _Obj:
    def __init__(self, d: dict) -> None:
        self.identifier = d.get("identifier")


def missing_fills(d: dict, booked: list | None) -> list[Fill]:
    """The fills of order `d` (GET /v1/order, with trades) that the store has not booked yet."""
    from engine.live.exchange import iso_ms
    exec_vol = _f(d.get("executed_volume"))
    b = booked or [0.0, 0.0, 0.0]
    if exec_vol - b[0] <= VOLUME_EPS:
        return []
    trades = d.get("trades") or []
    funds = [(_f(t.get("funds")) or _f(t.get("price")) * _f(t.get("volume"))) for t in trades]
    fee_total = _f(d.get("paid_fee"))
    last_ts = max((iso_ms(t.get("created_at")) or 0 for t in trades), default=0) or int(time.time() * 1000)
    market, side, uuid = str(d.get("market")), str(d.get("side")), str(d.get("uuid"))
    if b[0] <= VOLUME_EPS and trades:        # nothing booked: every trade, its fee a share of paid_fee
        out = []
        for t, fk in zip(trades, funds):
            fee = fee_total * fk / sum(funds) if sum(funds) > 0 else 0.0
            out.append(Fill(market, uuid, side, _f(t.get("price")), _f(t.get("volume")), fee,
                            iso_ms(t.get("created_at")) or last_ts, False))
        return out
    vol = exec_vol - b[0]                     # part booked: the remainder as one fill at its own average
    all_funds = _f(d.get("executed_funds")) or sum(funds) or _f(d.get("avg_price")) * exec_vol
    price = max(all_funds - b[1], 0.0) / vol if vol > 0 else 0.0
    return [Fill(market, uuid, side, price, vol, max(fee_total - b[2], 0.0), last_ts, False)]


# ---- the resume ------------------------------------------------------------------------------------
@dataclass
class Resumed:
    """What a session rebuilt at start (logged line by line, stored with the new run)."""
    crashed: list[int] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)       # identifier, uuid, market, side, how, state
    fills: list[Fill] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    prior: dict[str, float] = field(default_factory=dict)  # market -> volume held that no fill of ours explains
    note: str = ""


def resume(loop: Any, ex: Any, store: Any, run_id: int | None, mode: str, confirm_timeout_s: float = 15.0) -> Resumed:
    """Paper: mark crashed runs only — the simulator starts a fresh account (initial_krw) every session, so
    positions of earlier paper runs do not exist on it and are not carried over. Live: resolve every order of
    ours (cancel what rests, confirm final states, identifier lookup of orders the store left unconfirmed),
    book fills the store misses, rebuild positions from all fills and hand them to the loop."""
    out = Resumed()
    if store is not None:
        out.crashed = mark_crashed(store, run_id)
    if mode != "live":
        out.note = "paper"
        log.info(json.dumps({"event": "resume", "mode": mode, "crashed": out.crashed,
                             "note": "paper sessions start from a fresh simulated account"}))
        return out
    book = stored_book(store, mode, exclude=run_id)
    now_ms = int(time.time() * 1000)
    finals: dict[str, dict] = {}                 # uuid -> final order (with trades when fetched)
    how: dict[str, str] = {}
    pending: dict[str, dict] = {}
    for d in own_open_orders(ex):                # resting orders of an earlier run: nobody manages them now
        pending[str(d["uuid"])] = d
        how[str(d["uuid"])] = "cancelled"
        try:
            _call(ex, "cancel_order", uuid_=d["uuid"])
        except Exception as e:  # noqa: BLE001  filled or cancelled meanwhile: the lookup below says which
            log.info(json.dumps({"event": "resume_cancel_failed", "uuid": d["uuid"],
                                 "error": getattr(e, "error_name", type(e).__name__)}))
    for o in book.open_orders():                 # the store saw it working (or could not confirm it at a stop)
        if o.get("uuid") in pending:
            continue
        try:
            d = _call(ex, "get_order", identifier=o["identifier"])
        except Exception as e:  # noqa: BLE001
            if getattr(e, "error_name", "") == "order_not_found":    # never reached the exchange
                out.orders.append(_order_item(o, "not_found", "rejected"))
                continue
            raise
        u = str(d["uuid"])
        how[u] = "looked_up"
        if d.get("state") in FINAL:
            finals[u] = d
        else:
            pending[u] = d
            _call(ex, "cancel_order", uuid_=u)
            how[u] = "cancelled"
    since_ms = scan_since_ms(book.runs, now_ms)
    if book.runs:
        for d in closed_since(ex, since_ms):
            u = str(d.get("uuid"))
            if not is_own(_Obj(d)) or u in finals or u in pending:
                continue
            if _f(d.get("executed_volume")) - book.booked.get(u, [0.0])[0] > VOLUME_EPS:
                finals[u] = _call(ex, "get_order", uuid_=u)     # its trades
                how[u] = "closed_unbooked"
    deadline = time.monotonic() + confirm_timeout_s
    while pending:                               # cancels are accepted asynchronously: wait for final states
        for u in list(pending):
            d = _call(ex, "get_order", uuid_=u)
            if d.get("state") in FINAL:
                finals[u] = d
                del pending[u]
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"resume: orders not final after {confirm_timeout_s:.0f} s: "
                               f"{sorted(str(d.get('identifier')) for d in pending.values())}")
        if pending:
            time.sleep(0.2)
    for u, d in finals.items():
        new = missing_fills(d, book.booked.get(u))
        out.fills += new
        item = _order_item(d, how.get(u, "closed"), str(d.get("state")), len(new))
        out.orders.append(item)
        log.info(json.dumps({"event": "resumed_order", **item}))
    for f in out.fills:
        log.info(json.dumps({"event": "resumed_fill", "market": f.market, "order_uuid": f.order_uuid,
                             "side": f.side, "price": f.price, "volume": f.volume, "fee_krw": f.fee_krw,
                             "ts_ms": f.ts_ms}))
    _adopt_positions(loop, ex, book, out, now_ms)
    _record(loop, store, run_id, out, now_ms)
    return out


def _order_item(d: dict, how: str, state: str, fills: int = 0) -> dict:
    return {"identifier": d.get("identifier"), "uuid": d.get("uuid"), "market": d.get("market"),
            "side": d.get("side"), "ord_type": d.get("ord_type"), "how": how, "state": state, "fills": fills,
            "executed_volume": _f(d.get("executed_volume"))}


def _adopt_positions(loop: Any, ex: Any, book: StoredBook, out: Resumed, now_ms: int) -> None:
    """Positions = what our fills add up to, capped by what the account holds; the rest is prior holdings."""
    walked = walk_positions([*book.fills, *out.fills])
    bal = ex.refresh_balances()
    for m in loop.markets:
        held = sum(bal.get(m.split("-", 1)[1], (0.0, 0.0)))
        p = walked.get(m) or Position(m)
        vol = min(p.volume, held)
        out.prior[m] = max(held - p.volume, 0.0)
        if vol <= VOLUME_EPS:
            continue
        if p.volume - held > VOLUME_EPS:
            log.warning(json.dumps({"event": "resumed_position_short", "market": m, "booked": p.volume,
                                    "held": held}))
        pos = Position(m, volume=vol, cost_krw=p.cost_krw * vol / p.volume, entry_ts_ms=p.entry_ts_ms,
                       fees_krw=p.fees_krw * vol / p.volume)
        value = pos.cost_krw
        item = {"market": m, "volume": pos.volume, "cost_krw": pos.cost_krw, "avg_price": pos.avg_price,
                "entry_ts_ms": pos.entry_ts_ms, "managed": value >= MIN_ORDER_KRW}
        out.positions.append(item)
        log.info(json.dumps({"event": "resumed_position", **item}))
        if not item["managed"]:                # dust under the minimum order cannot be sold: left as held
            continue
        loop.execution.positions[m] = pos
        loop.ledger.resume(pos)
    held_other = {c: sum(v) for c, v in bal.items() if c != "KRW" and f"KRW-{c}" not in loop.markets and sum(v) > 0}
    log.info(json.dumps({"event": "prior_holdings", "markets": out.prior, "other": held_other}))


def _record(loop: Any, store: Any, run_id: int | None, out: Resumed, now_ms: int) -> None:
    """Every rebuilt item is a row of the new run (reason `resumed`), written at once: a kill right after
    start does not lose what the resume learnt (a second resume finds those fills booked)."""
    rec = loop.recorder
    for f in out.fills:
        rec.fill(f)
    for o in out.orders:
        rec.order({"ts_ms": now_ms, "market": o["market"], "side": o["side"], "ord_type": o["ord_type"] or "",
                   "state": o["state"], "identifier": o["identifier"], "uuid": o["uuid"],
                   "reason": f"resumed:{o['how']}", "executed_volume": o["executed_volume"]})
    for p in out.positions:
        rec.buf["positions"].append({"ts_ms": now_ms, "market": p["market"], "volume": p["volume"],
                                     "cost_krw": p["cost_krw"], "closed": False, "reason": "resumed",
                                     "managed": p["managed"]})
    if store is not None and run_id is not None:
        store.save_artifact(f"run-{run_id}-prior", PRIOR_KIND, {m: v for m, v in out.prior.items()}, run_id=run_id)
    loop.flush()


def prior_of(store: Any, run_id: int) -> dict[str, float]:
    """The prior holdings a live run recorded when it resumed ({} if it recorded none)."""
    a = store.load_artifact(f"run-{run_id}-prior")
    return {m: float(v) for m, v in ((a or {}).get("signature") or {}).items() if isinstance(v, (int, float))
            and math.isfinite(v)}
