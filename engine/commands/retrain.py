"""`scalp retrain [--json] [overrides]`: candidate vs deployed model on the newest test window; promote if better."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from engine import exit_codes
from engine.i18n import problem_text, t

HELP = "retrain on the newest data; promote the candidate only if it beats the deployed model (cron-friendly)"


def _line(o) -> str:
    why = t(o.why, **o.why_args)
    key = "retrain.promoted" if o.promoted else "retrain.kept"
    return t(key, cls=o.market_class, id=o.candidate_id, deployed=o.deployed_id if o.deployed_id is not None else "-",
             pnl=f"{o.candidate['net_pnl_krw']:+,.0f}", trades=o.candidate["trades"],
             dsr=_f(o.candidate.get("deflated_sharpe")), why=why)


def _f(v) -> str:
    return "n/a" if not isinstance(v, (int, float)) or v != v else f"{v:.3f}"


def run(cfg, flags: dict) -> int:
    from engine.models.classes import class_cfg, class_groups
    from engine.models.retrain import alert, retrain_class
    from engine.settings import settings_of
    from engine.trials import open_store
    store = open_store(cfg)
    if store is None:
        print(t("models.no_store"), file=sys.stderr)
        return exit_codes.CONFIG
    quiet = bool(flags.get("json"))

    def say(key, **kw):
        if not quiet:
            print(t(key, **kw), file=sys.stderr)
    out_dir = Path(settings_of(cfg).retrain.out_dir)
    outcomes = []
    try:
        groups = class_groups(cfg)
        for cls, markets in groups.items():
            ccfg = class_cfg(cfg, cls, markets) if len(groups) > 1 or cls != cfg.get("market_class") else cfg
            try:
                outcomes.append(retrain_class(ccfg, store, out_dir, say))
            except (ValueError, FileNotFoundError) as e:
                msg = t("retrain.failed", cls=cls, detail=problem_text(e))
                print(msg, file=sys.stderr)
                alert(cfg, msg, "critical", {"event": "retrain_failed", "market_class": cls})
                return exit_codes.DATA
    finally:
        store.close()
    for o in outcomes:
        line = _line(o)
        alert(cfg, line, "warning" if o.promoted else "info",
              {"event": "retrain_promoted" if o.promoted else "retrain_kept", "market_class": o.market_class,
               "candidate_id": o.candidate_id, "deployed_id": o.deployed_id})
        if not quiet:
            print(line)
            if o.pruned:
                print(t("retrain.pruned", ids=", ".join(map(str, o.pruned))))
    if quiet:
        from engine.artifacts import clean
        print(json.dumps(clean([{"market_class": o.market_class, "signature": o.signature, "promoted": o.promoted,
                                 "reason": t(o.why, **o.why_args), "candidate_id": o.candidate_id,
                                 "candidate": o.candidate, "deployed_id": o.deployed_id, "deployed": o.deployed,
                                 "pruned": o.pruned} for o in outcomes])))
    return exit_codes.OK if any(o.promoted for o in outcomes) else exit_codes.RETRAIN_KEPT


def main(argv: list[str]) -> int:
    from engine.commands.walkforward import flagged_command
    return flagged_command("retrain", argv, lambda cfg, flags: (cfg, flags), lambda cfg, flags, got: run(*got))
