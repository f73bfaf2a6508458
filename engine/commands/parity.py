"""`scalp parity <run id|latest> [--json] [--min-identical-pct P] [--max-pnl-gap-pct G] [store overrides]`:
replay a paper/live session's recorded market data through the backtester and compare (engine/parity.py)."""
from __future__ import annotations

import json
import math
import sys

from engine import exit_codes

HELP = "replay a paper/live session through the backtester: identical decisions, fill-price gap, PnL gap"
FLAGS = {"--min-identical-pct": "min_identical_pct", "--max-pnl-gap-pct": "max_pnl_gap_pct"}


def _parse(argv: list[str]) -> tuple[list[str], dict, bool, str | None]:
    """(positional, threshold values, --json, the first unknown flag)."""
    pos, vals, as_json, i = [], {}, False, 0
    while i < len(argv):
        a = argv[i]
        name, eq, val = a.partition("=")
        if a == "--json":
            as_json = True
        elif name in FLAGS:
            if not eq:
                i += 1
                val = argv[i] if i < len(argv) else ""
            try:
                vals[FLAGS[name]] = float(val)
            except ValueError:
                return pos, vals, as_json, a
        elif a.startswith("-"):
            return pos, vals, as_json, a
        else:
            pos.append(a)
        i += 1
    return pos, vals, as_json, None


def _fmt(x, spec: str) -> str:
    return "n/a" if not isinstance(x, (int, float)) or (isinstance(x, float) and not math.isfinite(x)) \
        else format(x, spec)


def main(argv: list[str]) -> int:
    from engine.i18n import set_lang, t
    for a in argv:
        if a.startswith("ui.lang=") and a.split("=", 1)[1] in ("ko", "en"):
            set_lang(a.split("=", 1)[1])
    pos, vals, as_json, bad = _parse(argv)
    if bad is not None:
        from engine.cli import unknown_option
        return unknown_option("parity", bad)
    runs = [a for a in pos if "=" not in a]
    overrides = [a for a in pos if "=" in a]
    if len(runs) != 1:
        print(t("help.parity.usage"), file=sys.stderr)
        return exit_codes.CONFIG
    import registry
    from engine.app import compose, job_config
    from engine.conf import plain
    from engine.parity import ParityError, Thresholds, compare, resolve, session_runs
    registry.load_all()
    cfg = job_config(compose(overrides))
    store = registry.build("store", plain(cfg.store), path="store")
    with store:
        rid = resolve(store, runs[0])
        if rid is None:
            ids = ", ".join(str(r["id"]) for r in session_runs(store)[-20:]) or "-"
            print(t("parity.no_run", run=runs[0], runs=ids), file=sys.stderr)
            return exit_codes.CONFIG
        try:
            out = compare(store, rid, Thresholds(**vals))
        except ParityError as e:
            print(t("parity.no_tape", detail=str(e)), file=sys.stderr)
            return exit_codes.DATA
    if as_json:
        from engine.loop.lifecycle import jsonable
        print(json.dumps(jsonable(out), ensure_ascii=False))
    else:
        print(t("parity.result", run=rid, mode=out["mode"], events=out["replay_events"],
                same=out["identical_decisions"], total=max(out["decisions_real"], out["decisions_replay"]),
                pct=_fmt(out["identical_decisions_pct"], ".2f"), min=_fmt(out["min_identical_pct"], "g")))
        print(t("parity.fills", trades=out["trades_real"], replay=out["trades_replay"],
                mean=_fmt(out["fill_gap_bps_mean"], ".2f"), worst=_fmt(out["fill_gap_bps_max_abs"], ".2f")))
        print(t("parity.pnl", real=_fmt(out["net_krw_real"], ",.0f"), replay=_fmt(out["net_krw_replay"], ",.0f"),
                gap=_fmt(out["pnl_gap_pct"], ".2f"), max=_fmt(out["max_pnl_gap_pct"], "g")))
        if out["flag_changes"]:
            print(t("parity.flags", changes=out["flag_changes"], real=out["flagged_real"],
                    replay=out["flagged_replay"]))
        print(t("parity.passed" if out["passed"] else "parity.failed"))
    return exit_codes.OK if out["passed"] else exit_codes.CHECK_FAILED
