"""`scalp runs list|show <id>|prune --keep N|--older-than D [--dry-run]`: manage stored runs, not market data."""
from __future__ import annotations

import json
import sys

from engine import exit_codes

HELP = "list, show and prune stored runs and their report folders (market data untouched)"


def _list(store, as_json: bool) -> int:
    from engine.control.cli import iso_ms
    from engine.control.runs import counts
    from engine.i18n import t
    n = counts(store)
    rows = []
    for r in store.runs():
        c = n.get(r["id"], {})
        dur = (int(r["finished_ms"]) - int(r["started_ms"])) / 1000 if r.get("finished_ms") else None
        rows.append({"id": r["id"], "name": r.get("name"), "mode": r.get("mode"), "status": r.get("status"),
                     "started": iso_ms(r.get("started_ms")), "duration_s": dur, "rows": sum(c.values()),
                     "fills": c.get("fills", 0)})
    if as_json:
        print(json.dumps(rows))
        return exit_codes.OK
    if not rows:
        print(t("runs.empty"))
        return exit_codes.OK
    print(_line(t("runs.columns").split("|")))
    for x in rows:
        dur = f"{x['duration_s']:.0f}" if x["duration_s"] is not None else "-"
        print(_line([x["id"], x["mode"], x["status"], x["started"], dur, x["rows"], x["fills"], x["name"]]))
    return exit_codes.OK


WIDTHS = (5, -10, -19, -19, 10, 9, 6, 0)      # display columns; negative = left-aligned, 0 = the rest


def _line(cells: list) -> str:
    """One table row; Hangul counts two columns, as terminals draw it."""
    import unicodedata
    out = []
    for cell, w in zip(cells, WIDTHS):
        text = str(cell)
        pad = " " * max(abs(w) - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text), 0)
        out.append(text + pad if w < 0 else pad + text)
    return "  ".join(out).rstrip()


def _show(store, cfg, which: str, as_json: bool) -> int:
    from engine.control.cli import iso_ms
    from engine.control.hook import reloads
    from engine.control.runs import counts, report_dirs, summary_of
    from engine.i18n import t
    from engine.live.history import PROCESS_KEY
    from engine.report import resolve_run
    rid = resolve_run(store, which)
    run = next((r for r in store.runs() if r["id"] == rid), None) if rid is not None else None
    if run is None:
        print(t("runs.no_run", run=which), file=sys.stderr)
        return exit_codes.CONFIG
    s = summary_of(store, rid).get("summary") or {}
    out_dir = str((cfg.get("run") or {}).get("out_dir", "outputs"))
    doc = {"id": rid, "name": run.get("name"), "mode": run.get("mode"), "status": run.get("status"),
           "started": iso_ms(run.get("started_ms")), "finished": iso_ms(run.get("finished_ms")),
           "process": (run.get("config") or {}).get(PROCESS_KEY), "rows": counts(store).get(rid, {}),
           "summary": {k: s.get(k) for k in ("trades", "net_krw", "net_pct", "max_drawdown_pct", "decisions", "trips")
                       if k in s},
           "reloads": reloads(store, rid), "report_dirs": [str(d) for d in report_dirs(store, run, out_dir)]}
    if as_json:
        print(json.dumps(doc, default=str))
        return exit_codes.OK
    for key, value in doc.items():
        text = value if isinstance(value, (str, int, float)) or value is None else json.dumps(value, default=str)
        print(f"{key:<12} {text}")
    return exit_codes.OK


def _prune(store, cfg, flags: dict) -> int:
    from engine.control.runs import delete_runs, parse_age_s, plan_prune, remove_dirs, report_dirs
    from engine.i18n import t
    try:
        keep = int(flags["--keep"]) if "--keep" in flags else None
        age = parse_age_s(flags["--older-than"]) if "--older-than" in flags else None
        if keep is not None and keep < 0:
            raise ValueError(keep)
    except ValueError:
        print(t("help.runs.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    if keep is None and age is None:
        print(t("runs.prune_needs"), file=sys.stderr)
        return exit_codes.CONFIG
    plan = plan_prune(store, keep=keep, older_than_s=age)
    out_dir = str((cfg.get("run") or {}).get("out_dir", "outputs"))
    dirs = {r["id"]: report_dirs(store, r, out_dir) for r in plan.delete}
    gone = {r["id"] for r in plan.delete}
    # a folder another run still reports into (a fixed hydra.run.dir shared by several runs) stays
    shared = {d for r in store.runs() if r["id"] not in gone for d in report_dirs(store, r, out_dir)}
    dirs = {rid: [d for d in ds if d not in shared] for rid, ds in dirs.items()}
    dry = bool(flags.get("--dry-run"))
    for r, why in plan.kept:
        print(t("runs.kept", run=r["id"], mode=r.get("mode"), why=why))
    for r in plan.delete:
        print(t("runs.would_delete" if dry else "runs.deleting", run=r["id"], mode=r.get("mode"),
                status=r.get("status"), dirs=", ".join(map(str, dirs[r["id"]])) or "-"))
    if dry:
        print(t("runs.dry_done", n=len(plan.delete)))
        return exit_codes.OK
    done = delete_runs(store, [r["id"] for r in plan.delete])
    removed = remove_dirs([d for ds in dirs.values() for d in ds])
    print(t("runs.pruned", n=done.get("runs", 0), rows=sum(v for k, v in done.items() if k != "runs"),
            dirs=removed))
    if flags.get("--vacuum"):
        from engine.control.runs import vacuum
        if any(r.get("status") == "running" for r in store.runs()):
            print(t("runs.vacuum_skipped"), file=sys.stderr)
            return exit_codes.OK
        sizes = vacuum(store)
        if sizes is not None:
            print(t("runs.vacuumed", before=f"{sizes[0] / 1e6:.1f}", after=f"{sizes[1] / 1e6:.1f}"))
    return exit_codes.OK


def main(argv: list[str]) -> int:
    from engine.control.cli import open_store, parse
    from engine.i18n import t
    a = parse(argv, valued=("--keep", "--older-than"), switches=("--dry-run", "--json", "--vacuum"))
    if a.unknown is not None:
        from engine.cli import unknown_option
        return unknown_option("runs", a.unknown)
    sub = a.words[0] if a.words else ""
    if sub not in ("list", "show", "prune") or (sub == "show") != (len(a.words) == 2) or len(a.words) > 2:
        print(t("help.runs.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    cfg, store = open_store(a.overrides)
    with store:
        if sub == "list":
            return _list(store, bool(a.flags.get("--json")))
        if sub == "show":
            return _show(store, cfg, a.words[1], bool(a.flags.get("--json")))
        return _prune(store, cfg, a.flags)
