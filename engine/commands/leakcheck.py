"""`scalp leakcheck [overrides]`: walk-forward honestly and with the label leaked into the features; compare."""
from __future__ import annotations

import json

from engine.i18n import t

HELP = "prove the walk-forward harness sees a leak: honest vs label-leaked run"
MIN_JUMP = 0.15          # leaked mean AUC must beat the honest one by at least this
MIN_LEAKED_AUC = 0.90    # ... and be near-perfect (the label itself is a column)
MAX_HONEST_AUC = 0.90    # an honest AUC this high on 1m crypto bars means a leak somewhere


def verdict(honest: dict, leaked: dict) -> tuple[int, str]:
    h, lk = honest["summary"]["auc"], leaked["summary"]["auc"]
    jump = lk - h
    if not (h <= MAX_HONEST_AUC):
        return 1, t("leak.fail_honest", honest=f"{h:.3f}", max_honest=MAX_HONEST_AUC)
    if not (jump >= MIN_JUMP and lk >= MIN_LEAKED_AUC):
        return 1, t("leak.fail_blind", jump=f"{jump:.3f}", min_jump=MIN_JUMP)
    return 0, t("leak.pass", jump=f"{jump:.3f}", honest=f"{h:.3f}", max_honest=MAX_HONEST_AUC)


def _both(cfg, flags: dict) -> tuple[dict, dict]:
    """The same walk-forward twice: honest, and with the label shifted into the features."""
    from engine.commands.walkforward import params_from
    from engine.walkforward import run_walkforward
    return (run_walkforward(cfg, params_from(flags, cfg, engine_loop=False)),
            run_walkforward(cfg, params_from(flags, cfg, leak=True, engine_loop=False)))


def _show(cfg, flags: dict, got) -> int:
    from engine import artifacts
    honest, leaked = got
    code, line = verdict(honest, leaked)
    if flags.get("json"):
        print(json.dumps(artifacts.clean({"honest": honest["summary"], "leaked": leaked["summary"],
                                          "passed": code == 0, "verdict": line})))
        return code
    for name, r in (("honest", honest), ("leaked", leaked)):
        s = r["summary"]
        print(t("leak.row", run=name, auc=f"{s['auc']:.4f}", ece=f"{s['ece']:.4f}", pnl=f"{s['net_pnl']:,.0f}"))
    print(line)
    return code


def main(argv: list[str]) -> int:
    from engine.commands.walkforward import flagged_command
    return flagged_command("leakcheck", argv, _both, _show)
