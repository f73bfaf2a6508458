"""Restart = resume: a live session rebuilds its positions and resolves its orders from the store and the exchange."""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from components.types.orders import MIN_ORDER_KRW, Fill, Position
from components.types.upbit.errors import OrderNotFound
from engine.live.guard import is_own
from engine.live.history import (FINAL, PRIOR_KIND, PROCESS_KEY, StoredBook, mark_crashed, prior_of, process_tag,
                                 scan_since_ms, stored_book, walk_positions)

log = logging.getLogger("scalp.live")
VOLUME_EPS = 1e-9
__all__ = ["PROCESS_KEY", "PRIOR_KIND", "Resumed", "mark_crashed", "prior_of", "process_tag", "resume",
           "stored_book", "walk_positions"]


# ---- the exchange side ---------------------------------------------------------------------------
class _Api:
    """REST calls of the live client through the session's bridge (counted as api calls/errors); transient
    failures (5xx, 429, timeouts, dropped connections) are retried with backoff until the resume's deadline.
    Definite answers (not found, refused, auth) and 418 (retrying a ban prolongs it) are raised at once."""

    def __init__(self, ex: Any, deadline_s: float) -> None:
        self.ex = ex
        self.deadline = time.monotonic() + deadline_s

    def call(self, name: str, **kw: Any) -> Any:
        return self.retry(lambda: self.ex._call(getattr(self.ex.rest, name)(**kw)), name)

    def retry(self, fn: Any, what: str) -> Any:
        from components.types.upbit import errors as E
        delay_s = 0.2
        while True:
            try:
                return fn()
            except (E.BadRequest, E.AuthenticationError, E.OrderNotFound, E.NotFound, E.Blocked):
                raise
            except Exception as e:  # noqa: BLE001  transient: try again while the deadline allows
                if time.monotonic() + delay_s > self.deadline:
                    raise
                log.warning(json.dumps({"event": "resume_retry", "call": what,
                                        "error": f"{type(e).__name__}: {e}"[:200]}))
                time.sleep(delay_s)
                delay_s = min(delay_s * 2, 2.0)


def _f(x: Any) -> float:
    try:
        return float(x) if x is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def own_open_orders(api: _Api) -> list[dict]:
    out, page = [], 1
    while True:
        rows = api.call("orders_open", page=page, limit=100)
        out += [d for d in rows if is_own(_Obj(d))]
        if len(rows) < 100:
            return out
        page += 1


def closed_since(api: _Api, since_ms: int, limit: int = 1000) -> list[dict]:
    """Closed orders from `since_ms` on, oldest first; a full page moves the window to its last order's time."""
    from engine.live.exchange import iso_ms
    out: dict[str, dict] = {}
    start = since_ms
    while True:
        rows = api.call("orders_closed", states=["done", "cancel"], start_time=_iso(start), limit=limit,
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
    flat: list[dict] = field(default_factory=list)          # markets our fills left flat: a closed position row
    prior: dict[str, float] = field(default_factory=dict)  # market -> volume held that no fill of ours explains
    note: str = ""


def resume(loop: Any, ex: Any, store: Any, run_id: int | None, mode: str, confirm_timeout_s: float = 15.0,
           deadline_s: float = 60.0) -> Resumed:
    """Paper: mark crashed runs only — the simulator starts a fresh account (initial_krw) every session, so
    positions of earlier paper runs do not exist on it and are not carried over. Live: resolve every order of
    ours (cancel what rests, confirm final states, identifier lookup of orders the store left unconfirmed),
    book fills the store misses, rebuild positions from all fills and hand them to the loop. Transient exchange
    failures are retried until `deadline_s`; past it the start fails (a bot that cannot learn its state must
    not trade). Killed at any point it is simply redone by the next start: nothing is stored before the end,
    and what the exchange already did (cancels, fills) is found again by the scans."""
    out = Resumed()
    if store is not None:
        out.crashed = mark_crashed(store, run_id)
    if mode != "live":
        out.note = "paper"
        log.info(json.dumps({"event": "resume", "mode": mode, "crashed": out.crashed,
                             "note": "paper sessions start from a fresh simulated account"}))
        return out
    api = _Api(ex, deadline_s)
    book = stored_book(store, mode, exclude=run_id)
    now_ms = int(time.time() * 1000)
    finals: dict[str, dict] = {}                 # uuid -> final order (with trades when fetched)
    how: dict[str, str] = {}
    pending: dict[str, dict] = {}
    for d in own_open_orders(api):                # resting orders of an earlier run: nobody manages them now
        pending[str(d["uuid"])] = d
        how[str(d["uuid"])] = "cancelled"
        _cancel(api, str(d["uuid"]))
    for o in book.open_orders():                 # the store saw it working (or could not confirm it at a stop)
        if o.get("uuid") in pending:
            continue
        try:
            d = api.call("get_order", identifier=o["identifier"])
        except Exception as e:  # noqa: BLE001
            if isinstance(e, OrderNotFound):      # never reached the exchange
                out.orders.append(_order_item(o, "not_found", "rejected"))
                log.info(json.dumps({"event": "resumed_order", **out.orders[-1]}))
                continue
            raise
        u = str(d["uuid"])
        how[u] = "looked_up"
        if d.get("state") in FINAL:
            finals[u] = d
        else:
            pending[u] = d
            _cancel(api, u)
            how[u] = "cancelled"
    since_ms = scan_since_ms(book.runs, now_ms)
    if book.runs:
        for d in closed_since(api, since_ms):
            u = str(d.get("uuid"))
            if not is_own(_Obj(d)) or u in finals or u in pending:
                continue
            if _f(d.get("executed_volume")) - book.booked.get(u, [0.0])[0] > VOLUME_EPS:
                finals[u] = api.call("get_order", uuid_=u)     # its trades
                how[u] = "closed_unbooked"
    deadline = time.monotonic() + confirm_timeout_s
    while pending:                               # cancels are accepted asynchronously: wait for final states
        for u in list(pending):
            d = api.call("get_order", uuid_=u)
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
    _adopt_positions(loop, api, book, out, now_ms)
    row_times(out, book)
    _record(loop, store, run_id, out, now_ms)
    return out


def _cancel(api: _Api, uuid: str) -> None:
    try:
        api.call("cancel_order", uuid_=uuid)
    except Exception as e:  # noqa: BLE001  filled or cancelled meanwhile: the confirming lookup says which
        log.info(json.dumps({"event": "resume_cancel_failed", "uuid": uuid,
                             "error": getattr(e, "error_name", type(e).__name__)}))


def _order_item(d: dict, how: str, state: str, fills: int = 0) -> dict:
    from engine.live.exchange import iso_ms
    last = max((iso_ms(t.get("created_at")) or 0 for t in d.get("trades") or []), default=0)
    return {"identifier": d.get("identifier"), "uuid": d.get("uuid"), "market": d.get("market"),
            "side": d.get("side"), "ord_type": d.get("ord_type"), "how": how, "state": state, "fills": fills,
            "executed_volume": _f(d.get("executed_volume")),
            "ts_ms": last or iso_ms(d.get("created_at")) or d.get("ts_ms") or 0}


def _adopt_positions(loop: Any, api: _Api, book: StoredBook, out: Resumed, now_ms: int) -> None:
    """Positions = what our fills add up to, capped by what the account holds; the rest is prior holdings."""
    fills = [*book.fills, *out.fills]
    walked = walk_positions(fills)
    last_ms: dict[str, int] = {}
    for f in fills:
        m, ts = (f["market"], f["ts_ms"]) if isinstance(f, dict) else (f.market, f.ts_ms)
        last_ms[m] = max(last_ms.get(m, 0), int(ts))
    bal = api.retry(api.ex.refresh_balances, "accounts")
    for m in loop.markets:
        held = sum(bal.get(m.split("-", 1)[1], (0.0, 0.0)))
        p = walked.get(m) or Position(m)
        vol = min(p.volume, held)
        out.prior[m] = max(held - p.volume, 0.0)
        if vol <= VOLUME_EPS:
            if m in walked:         # traded before, flat now (e.g. its exit filled while the bot was down)
                out.flat.append({"market": m, "ts_ms": last_ms[m]})
            continue
        if p.volume - held > VOLUME_EPS:
            log.warning(json.dumps({"event": "resumed_position_short", "market": m, "booked": p.volume,
                                    "held": held}))
        pos = Position(m, volume=vol, cost_krw=p.cost_krw * vol / p.volume, entry_ts_ms=p.entry_ts_ms,
                       fees_krw=p.fees_krw * vol / p.volume)
        value = pos.cost_krw
        item = {"market": m, "volume": pos.volume, "cost_krw": pos.cost_krw, "avg_price": pos.avg_price,
                "entry_ts_ms": pos.entry_ts_ms, "last_fill_ms": last_ms[m], "managed": value >= MIN_ORDER_KRW}
        out.positions.append(item)
        log.info(json.dumps({"event": "resumed_position", **item}))
        if not item["managed"]:                # dust under the minimum order cannot be sold: left as held
            continue
        loop.execution.positions[m] = pos
        loop.ledger.resume(pos)
    held_other = {c: sum(v) for c, v in bal.items() if c != "KRW" and f"KRW-{c}" not in loop.markets and sum(v) > 0}
    log.info(json.dumps({"event": "prior_holdings", "markets": out.prior, "other": held_other}))


def row_times(out: Resumed, book: StoredBook) -> None:
    """Each rebuilt position's row time (`row_ms`): its last fill's, but never before the market's latest stored
    position row — a stop writes its open positions at its last event time, which may be later than a fill
    booked only now, and the latest row must say what the market holds."""
    for p in [*out.positions, *out.flat]:
        p["row_ms"] = max(int(p.get("last_fill_ms", p.get("ts_ms", 0))), book.position_ms.get(p["market"], 0))


def _record(loop: Any, store: Any, run_id: int | None, out: Resumed, now_ms: int) -> None:
    """Every rebuilt item is a row of the new run (reason `resumed`), written at once: a kill right after
    start does not lose what the resume learnt (a second resume finds those fills booked)."""
    rec = loop.recorder
    for f in out.fills:
        rec.fill(f)
    # Rows carry the exchange's time of what they describe (the order's, the market's last fill), the time base
    # of every other row of a session, so "the latest row" of a market or order stays the latest.
    for o in out.orders:
        rec.order({"ts_ms": o["ts_ms"] or now_ms, "market": o["market"], "side": o["side"],
                   "ord_type": o["ord_type"] or "", "state": o["state"], "identifier": o["identifier"],
                   "uuid": o["uuid"], "reason": f"resumed:{o['how']}", "executed_volume": o["executed_volume"]})
    for p in out.positions:
        rec.buf["positions"].append({"ts_ms": p["row_ms"], "market": p["market"], "volume": p["volume"],
                                     "cost_krw": p["cost_krw"], "closed": False, "reason": "resumed",
                                     "managed": p["managed"]})
    for p in out.flat:
        rec.buf["positions"].append({"ts_ms": p["row_ms"], "market": p["market"], "volume": 0.0, "cost_krw": 0.0,
                                     "closed": True, "reason": "resumed"})
    if store is not None and run_id is not None:
        store.save_artifact(f"run-{run_id}-prior", PRIOR_KIND, {m: v for m, v in out.prior.items()}, run_id=run_id)
    loop.flush()
