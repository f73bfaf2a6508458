"""`scalp risk status|clear`: kill-switch states and trips in force as a paper/live session would restore them,
and clearing a halt by hand (stored, logged)."""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from engine import exit_codes
from engine.i18n import t

HELP = "kill switches: status (states, trips in force), clear <switch>|--all (lifts a halt for the next session)"
log = logging.getLogger("scalp.risk")
# Clearing these also moves the reference they measure from to the last stored equity: otherwise the next
# session compares against the same old peak / day start and latches the same halt again at once.
REBASE = {"max_drawdown": "peak_equity_krw", "daily_loss": "day_start_equity_krw"}


def namespace_of(cfg: Any) -> str:
    """Trips of paper and live sessions are kept apart; a backtest's never outlive its run, so `live`."""
    mode = str(cfg.get("mode", "live"))
    return mode if mode in ("paper", "live") else "live"


def open_manager(cfg: Any, store: Any) -> Any:
    """The risk manager exactly as the next session of this mode starts: trips and account state restored."""
    from engine.risk import RiskManager
    from engine.risk.store_adapter import StoreRiskPersistence
    from engine.settings import settings_of
    persistence = StoreRiskPersistence(store, namespace=namespace_of(cfg))
    return RiskManager.from_config(cfg, persistence=persistence, settings=settings_of(cfg))


def _trip_row(trip: Any, rm: Any) -> dict:
    return {"switch": trip.switch, "component": trip.component, "action": trip.action, "market": trip.market,
            "latched": trip.latched, "started_ms": trip.started_ms, "until_ms": trip.until_ms,
            "reason": rm.describe(trip), "id": trip.id}


def status(rm: Any, ns: str) -> dict:
    now = int(time.time() * 1000)
    trips = rm.active_trips()
    return {"namespace": ns, "state": rm.state.value, "ts_ms": now,
            "switches": [{"id": sid, "component": getattr(rm.switches[sid], "component_name", sid), "state": state}
                         for sid, state in rm.switch_states().items()],
            "trips": [_trip_row(trip, rm) for trip in trips],
            "unknown_trips": sorted({trip.switch for trip in trips} - set(rm.switches))}


def _when(ts_ms: int | None) -> str:
    import datetime as dt
    if ts_ms is None:
        return "-"
    return dt.datetime.fromtimestamp(ts_ms / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def print_status(st: dict) -> None:
    print(t("riskcmd.status.header", namespace=st["namespace"], state=st["state"], n=len(st["trips"])))
    by_switch: dict[str, list[dict]] = {}
    for trip in st["trips"]:
        by_switch.setdefault(trip["switch"], []).append(trip)
    for sw in st["switches"]:
        print(t("riskcmd.status.switch", id=sw["id"], state=t(f"riskcmd.state.{sw['state']}")))
        for trip in by_switch.pop(sw["id"], []):
            _print_trip(trip)
    for trips in by_switch.values():          # a trip of a switch no longer configured: still in force
        for trip in trips:
            _print_trip(trip)
    if st["trips"]:
        print(t("riskcmd.status.hint"))


def _print_trip(trip: dict) -> None:
    until = t("riskcmd.latched") if trip["latched"] else _when(trip["until_ms"]) if trip["until_ms"] else \
        t("riskcmd.while_tripping")
    print(t("riskcmd.status.trip", switch=trip["switch"], action=trip["action"], market=trip["market"] or "-",
            since=_when(trip["started_ms"]), until=until, reason=trip["reason"]))


def status_job(cfg: Any, as_json: bool) -> int:
    from engine.app import job_config
    import registry
    from engine.conf import plain
    store = registry.build("store", plain(job_config(cfg).store), path="store")
    try:
        st = status(open_manager(cfg, store), namespace_of(cfg))
    finally:
        store.close()
    if as_json:
        print(json.dumps(st, ensure_ascii=False, indent=1))
    else:
        print_status(st)
    return exit_codes.CHECK_FAILED if st["trips"] else exit_codes.OK


def clear(rm: Any, switch: str | None, ns: str, now_ms: int | None = None) -> list[dict]:
    """Clear every trip in force of `switch` (None: of all switches) in the store; one JSON log line each.
    Returns the cleared trips."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    trips = [trip for trip in rm.active_trips() if switch is None or trip.switch == switch]
    done = []
    for trip in trips:
        rm.clear(trip.switch, now, trip.market)
        rebased = {}
        field = REBASE.get(trip.component)
        eq = rm.snapshot.equity_krw
        if field and eq == eq:
            rebased = {field: {"from": getattr(rm.snapshot, field), "to": eq}}
            setattr(rm.snapshot, field, eq)
        row = {**_trip_row(trip, rm), "rebased": rebased}
        log.info(json.dumps({"event": "trip_cleared", "namespace": ns, "by": "scalp risk clear",
                             "cleared_ms": now, **row}, ensure_ascii=False))
        done.append(row)
    if done:
        from engine.risk.manager import STATE_KEY
        # keep the stored clock: a paper session replaying old data restores its trips on event time
        stored = (rm.persistence.load_state(STATE_KEY) or {}).get("ts_ms")
        rm.save(int(stored) if stored else now)
        rm.persistence.write_state()
    return done


def clear_job(cfg: Any, switch: str | None) -> int:
    from engine.app import job_config
    from engine.cli import suggest
    import registry
    from engine.conf import plain
    ns = namespace_of(cfg)
    store = registry.build("store", plain(job_config(cfg).store), path="store")
    try:
        rm = open_manager(cfg, store)
        tripped = {trip.switch for trip in rm.active_trips()}
        if switch is not None and switch not in rm.switches and switch not in tripped:
            known = sorted(set(rm.switches) | tripped)
            print(t("riskcmd.clear.unknown", switch=switch, hint=suggest(switch, known), known=", ".join(known)),
                  file=sys.stderr)
            return exit_codes.CONFIG
        done = clear(rm, switch, ns)
    finally:
        store.close()
    if not done:
        print(t("riskcmd.clear.none", switch=switch or "*", namespace=ns))
        return exit_codes.OK
    for row in done:
        print(t("riskcmd.clear.row", switch=row["switch"], action=row["action"], market=row["market"] or "-",
                since=_when(row["started_ms"])))
        for field, change in row["rebased"].items():
            print(t("riskcmd.clear.rebased", field=field, old=change["from"], new=change["to"]))
    print(t("riskcmd.clear.done", n=len(done), namespace=ns))
    return exit_codes.OK


def main(argv: list[str]) -> int:
    from engine.app import hydra_command
    if not argv or argv[0] not in ("status", "clear"):
        print(t("help.risk.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    sub, rest = argv[0], argv[1:]
    as_json = "--json" in rest
    clear_all = "--all" in rest
    rest = [a for a in rest if a not in ("--json", "--all")]
    ov = [*rest, "hydra.output_subdir=null"]
    if sub == "status":
        return hydra_command("risk", ov, lambda cfg: status_job(cfg, as_json), json_out=as_json)
    names = [a for a in rest if "=" not in a and not a.startswith(("-", "~", "+"))]
    if clear_all == bool(names) or len(names) > 1:        # exactly one of: a switch id, --all
        print(t("riskcmd.clear.need_one"), file=sys.stderr)
        print(t("help.risk.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    switch = names[0] if names else None
    return hydra_command("risk", [*[a for a in ov if a not in names]],
                         lambda cfg: clear_job(cfg, switch))
