"""Figures of the fault suite, from the exchange server's own records (its saved accounts) and the bot's store.

Definitions (one bot = one account + one store file shared by all its restarts; own = identifier `scalp-`):
- zombie order: an own order still open on the exchange after the final stop that the store does not hold as
  open or unknown (its last stored row for that identifier is final, or there is none).
- duplicate entry: an own bid created while the account already held that market (exchange-side position from
  our own trades before the bid, worth at least the minimum order) or while an earlier own bid on the market was
  still filling — the engine never enters a held market or one with an order working, so each is an intent sent
  twice. repeat sell: an own ask the exchange refused for want of coins (an exit re-sent after it filled).
- lost fill: an exchange trade of an own order not booked in the store's fills (by order uuid and volume);
  double-booked fill: an order whose stored fill volume exceeds what the exchange executed.
- balance mismatch: a coin whose exchange balance (free + locked) differs from the store's position (the last
  positions row of that market, 0 when closed) by at least 1 KRW at the last trade price.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

OWN = "scalp-"
FINAL = {"done", "cancel", "cancelled", "canceled", "rejected", "filled", "failed"}
MIN_ORDER_KRW = 5000.0
EPS = 1e-9


def trade_ms(tr: dict) -> int:
    return int(dt.datetime.fromisoformat(tr["created_at"]).timestamp() * 1000)


def _rows(db: Path, sql: str) -> list[sqlite3.Row]:
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:          # table missing: the bot never got as far as creating it
        return []
    finally:
        con.close()


def store_view(db: Path) -> dict:
    """Last stored state per identifier, booked fill volume per order uuid, position per market, run statuses."""
    last_state: dict[str, str] = {}
    for r in _rows(db, "SELECT identifier, state FROM orders ORDER BY id"):
        if r["identifier"]:
            last_state[r["identifier"]] = str(r["state"])
    booked: dict[str, float] = {}
    for r in _rows(db, "SELECT order_uuid, volume FROM fills"):
        booked[r["order_uuid"]] = booked.get(r["order_uuid"], 0.0) + float(r["volume"])
    pos: dict[str, float] = {}
    for r in _rows(db, "SELECT market, volume, extra FROM positions ORDER BY ts_ms, id"):
        extra = json.loads(r["extra"]) if isinstance(r["extra"], str) else (r["extra"] or {})
        pos[r["market"]] = 0.0 if extra.get("closed") else float(r["volume"])
    runs = [dict(r) for r in _rows(db, "SELECT * FROM runs ORDER BY id")]
    statuses: dict[str, int] = {}
    for r in runs:
        s = str(r.get("status") or "?")
        statuses[s] = statuses.get(s, 0) + 1
    return {"last_state": last_state, "booked": booked, "positions": pos, "runs": len(runs), "statuses": statuses}


def _duplicate_entries(orders: list) -> int:
    by_market: dict[str, list] = {}
    for o in orders:
        by_market.setdefault(o.market, []).append(o)
    dups = 0
    for os_ in by_market.values():
        fills = sorted((trade_ms(tr), o.side, float(tr["volume"]), float(tr["price"])) for o in os_ for tr in o.trades)
        for o in os_:
            if o.side != "bid":
                continue
            held, px = 0.0, 0.0
            for ts, side, v, p in fills:
                if ts >= o.created_ms:
                    break
                held += v if side == "bid" else -v
                px = p
            busy = any(b is not o and b.side == "bid" and b.created_ms < o.created_ms and b.trades
                       and trade_ms(b.trades[-1]) > o.created_ms for b in os_)
            if held * px >= MIN_ORDER_KRW or busy:
                dups += 1
    return dups


def _lost_fills(orders: list, booked: dict[str, float]) -> tuple[int, int]:
    lost = double = 0
    for o in orders:
        have = booked.get(o.uuid, 0.0)
        if have > o.executed_volume + max(EPS, o.executed_volume * 1e-9):
            double += 1
        for tr in o.trades:
            v = float(tr["volume"])
            if have + EPS >= v:
                have -= v
            else:
                lost += 1
                have = 0.0
    return lost, double


def _mismatches(ex, positions: dict[str, float], orders: list) -> list[dict]:
    last_px: dict[str, float] = {}
    for o in sorted(orders, key=lambda o: o.created_ms):
        for tr in o.trades:
            last_px[o.market] = float(tr["price"])
    out = []
    coins = {a["currency"]: float(a["balance"]) + float(a["locked"]) for a in ex.accounts() if a["currency"] != "KRW"}
    for m in positions:
        coins.setdefault(m.split("-", 1)[1], 0.0)
    for cur, held in sorted(coins.items()):
        market = f"KRW-{cur}"
        stored = positions.get(market, 0.0)
        px = last_px.get(market, 0.0)
        if abs(held - stored) * px >= 1.0 or (px == 0.0 and abs(held - stored) > EPS):
            out.append({"currency": cur, "exchange": round(held, 8), "store": round(stored, 8)})
    return out


def audit_bot(ex, db: Path, order_replies: dict[str, int] | None = None) -> dict:
    """Figures of one bot: its exchange account `ex` (a SimExchange from the server's saved state) and store `db`."""
    every = list(ex.open_orders()) + list(ex.closed_orders())
    own = [o for o in every if (o.identifier or "").startswith(OWN)]
    sv = store_view(db)
    zombies = [o.identifier for o in own if o.state in ("wait", "watch")
               and sv["last_state"].get(o.identifier, "done") in FINAL]
    lost, double = _lost_fills(own, sv["booked"])
    mism = _mismatches(ex, sv["positions"], own)
    return {"orders_on_exchange": len(own), "orders_untracked_by_identifier":
            sum(1 for o in own if o.identifier not in sv["last_state"]),
            "trades_on_exchange": sum(len(o.trades) for o in own),
            "open_after_final_stop": sum(1 for o in own if o.state in ("wait", "watch")),
            "zombies": len(zombies), "zombie_identifiers": zombies[:20],
            "duplicate_entries": _duplicate_entries(own), "lost_fills": lost, "double_booked_fills": double,
            "balance_mismatches": len(mism), "mismatch_detail": mism[:20],
            "runs": sv["runs"], "run_statuses": sv["statuses"]}


def repeat_sells(order_replies: dict[str, int]) -> int:
    """Create replies refusing an ask for want of coins (the proxy saw the server's own answer)."""
    return sum(n for k, n in order_replies.items() if "insufficient_funds_ask" in k)
