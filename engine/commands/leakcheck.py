"""`scalp leakcheck [--folds=N ...] [--json] [overrides]`: five checks that a real leak cannot pass; exit 1 names it."""
from __future__ import annotations

import json
import math

from engine.i18n import t

HELP = "leak checks: end-to-end alignment, shuffled-label null, volatility reference, label probe, warm-up"
DEFAULT_FOLDS = 2          # leakcheck refits towers many times: fewer folds than a walk-forward by default


def _run(cfg, flags: dict):
    from engine.checks.leak import run_all
    from engine.commands.walkforward import params_from
    wf = params_from(cfg, engine_loop=False)          # the checks compare model metrics: no engine replay
    return wf, run_all(cfg, wf)


def _num(v) -> str:
    if isinstance(v, float):
        return "–" if not math.isfinite(v) else f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_num(x) for x in v) + "]"
    return str(v)


def numbers_line(check: dict) -> str:
    """The check's headline numbers (per tower / feature details stay in --json)."""
    nums = dict(check.get("numbers") or {})
    if check["check"] == "null":
        nums = {f"auc_{r['tower']}": f"{r['auc_null']:.3f} in [{r['band'][0]:.3f}, {r['band'][1]:.3f}], "
                                     f"{r['trades']}/{r['max_trades']} trades" for r in check.get("towers", [])}
    return "; ".join(f"{k}={_num(v)}" for k, v in nums.items())


def _show(cfg, flags: dict, got) -> int:
    from engine import artifacts
    from engine.checks.leak import FAILING, exit_code
    wf, checks = got
    code = exit_code(checks)
    failed = [c for c in checks if c["check"] in FAILING and not c["passed"]]
    verdict = t("leakcheck.verdict_pass") if not code else t(
        "leakcheck.verdict_fail", checks=", ".join(c["check"] for c in failed),
        culprits="; ".join(", ".join(c["culprits"]) for c in failed))
    if flags.get("json"):
        print(json.dumps(artifacts.clean({"checks": checks, "passed": code == 0, "verdict": verdict})))
        return code
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    table = Table(title=t("leakcheck.title", markets=",".join(cfg.get("markets") or []), folds=wf.folds))
    for col in ("col_check", "col_result", "col_numbers", "col_culprits"):
        table.add_column(t(f"leakcheck.{col}"), overflow="fold")
    for c in checks:
        res = "info" if c["check"] not in FAILING else "pass" if c["passed"] else "fail"
        table.add_row(t(f"leakcheck.name.{c['check']}"), t(f"leakcheck.{res}"), escape(numbers_line(c)),
                      escape(", ".join(c["culprits"]) or "-"))
    Console(width=max(160, Console().width)).print(table)
    print(verdict)
    return code


def main(argv: list[str]) -> int:
    from engine.commands.walkforward import flagged_command
    return flagged_command("leakcheck", argv, _run, _show, defaults=(f"walkforward.folds={DEFAULT_FOLDS}",))
