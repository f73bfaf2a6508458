"""`scalp reconcile [--json] [overrides]`: the store's positions and open orders vs the exchange's, exit 0 on a match."""
from __future__ import annotations

import json
import sys
from typing import Any

from engine import exit_codes
from engine.app import hydra_command

HELP = "compare the store's positions and open orders with the exchange's (exit 0 only when they match)"
MODE = "live"


def _tol(held: float) -> float:
    """Volumes carry 8 decimals on Upbit: a difference below that (or a float rounding of it) is no difference."""
    return 1e-8 + 1e-9 * abs(held)


def compare(store: Any, ex: Any, markets: list[str]) -> dict:
    """Per market: the volume our fills add up to (all live runs) + the prior holdings the latest run recorded
    vs the exchange's balance; per identifier: orders the store last saw open vs our orders open on the
    exchange. Currencies outside the markets that no fill of ours touched are prior holdings, listed apart."""
    from engine.live.guard import is_own
    from engine.live.resume import prior_of, stored_book, walk_positions
    book = stored_book(store, MODE)
    if not book.runs:
        return {"run_id": None, "match": True, "positions": [], "orders": {}, "prior": {}}
    run_id = book.runs[-1]["id"]
    from engine.live.history import PROCESS_KEY, alive
    running = book.runs[-1].get("status") == "running" and \
        alive((book.runs[-1].get("config") or {}).get(PROCESS_KEY)) is not False
    prior = prior_of(store, run_id)
    walked = walk_positions(book.fills)
    bal = ex.refresh_balances()
    traded = sorted(set(markets) | set(walked))
    rows = []
    for m in traded:
        held = sum(bal.get(m.split("-", 1)[1], (0.0, 0.0)))
        mine = walked[m].volume if m in walked else 0.0
        pr = prior.get(m, 0.0)
        diff = held - mine - pr
        rows.append({"market": m, "store": mine, "prior": pr, "exchange": held, "diff": diff,
                     "match": abs(diff) <= _tol(held)})
    store_open = {o["identifier"]: o for o in book.open_orders()}
    ex_open = {o.identifier: o for o in ex.open_orders() if is_own(o)}
    orders = {"store_only": sorted(set(store_open) - set(ex_open)),
              "exchange_only": [{"identifier": i, "market": ex_open[i].market, "uuid": ex_open[i].uuid}
                                for i in sorted(set(ex_open) - set(store_open))],
              "store_open": len(store_open), "exchange_open": len(ex_open)}
    bases = {m.split("-", 1)[1] for m in traded}
    other = {c: sum(v) for c, v in bal.items() if c != "KRW" and c not in bases and sum(v) > 0}
    match = all(r["match"] for r in rows) and not orders["store_only"] and not orders["exchange_only"]
    return {"run_id": run_id, "mode": MODE, "match": match, "bot_running": running, "positions": rows, "orders": orders,
            "prior": {**{m: v for m, v in prior.items() if v > 0}, **other}}


def render(out: dict, base: str) -> None:
    from engine.i18n import t
    if out["run_id"] is None:
        print(t("reconcile.no_run", mode=MODE))
        return
    print(t("reconcile.header", run_id=out["run_id"], mode=out["mode"], base=base))
    if out.get("bot_running"):      # its working orders reach the store only when final: differences may be in flight
        print(t("reconcile.bot_running", run_id=out["run_id"]), file=sys.stderr)
    for r in out["positions"]:
        print(t("reconcile.position", market=r["market"], store=f"{r['store']:.8f}", prior=f"{r['prior']:.8f}",
                held=f"{r['exchange']:.8f}", diff=f"{r['diff']:+.8f}",
                verdict=t("reconcile.ok" if r["match"] else "reconcile.mismatch")))
    o = out["orders"]
    print(t("reconcile.orders", store=o["store_open"], exchange=o["exchange_open"]))
    for ident in o["store_only"]:
        print(t("reconcile.order_store_only", identifier=ident))
    for d in o["exchange_only"]:
        print(t("reconcile.order_exchange_only", identifier=d["identifier"], market=d["market"]))
    if out["prior"]:
        print(t("reconcile.prior", items=", ".join(f"{k} {v:.8f}" for k, v in sorted(out["prior"].items()))))
    n = sum(not r["match"] for r in out["positions"]) + len(o["store_only"]) + len(o["exchange_only"])
    print(t("reconcile.match") if out["match"] else t("reconcile.differ", n=n), flush=True)


def job(cfg: Any, as_json: bool) -> int:
    import registry
    from engine.conf import plain
    from engine.i18n import t
    from engine.live.bridge import AsyncBridge
    from engine.live.exchange import LiveExchange
    from engine.live.runner import build_live_client
    rest = build_live_client(cfg)
    store = registry.build("store", plain(cfg.store), path="store")
    try:
        with AsyncBridge() as bridge:
            ex = LiveExchange(rest, bridge)
            try:
                out = compare(store, ex, [str(m) for m in cfg.markets])
            finally:
                ex.close()
    except Exception as e:  # noqa: BLE001  no keys, no connection: one clear line, exit 4
        print(t("live.error", detail=f"{getattr(e, 'error_name', type(e).__name__)}: {e}"), file=sys.stderr)
        return exit_codes.EXCHANGE
    finally:
        store.close()
    if as_json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        render(out, rest.p.base_url)
    return exit_codes.OK if out["match"] else exit_codes.CHECK_FAILED


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    return hydra_command("reconcile", [*argv, "hydra.output_subdir=null"], lambda cfg: job(cfg, as_json),
                         json_out=as_json)
