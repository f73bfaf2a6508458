"""`scalp live [overrides]`: real orders through the exchange client, only after `validate` passes with mode=live."""
from __future__ import annotations

import sys

from engine import exit_codes
from engine.app import hydra_command, report_problems

HELP = "live trading: starts only after validate passes; cancels open orders on exit"


def job(cfg, duration_s: float | None) -> int:
    from rich.console import Console

    from engine.i18n import t
    from engine.live.command import StopSignals, duration_of, failed_exit_code, print_result
    from engine.live.runner import build_live_client, build_live_feed, run_session
    from engine.conf import plain
    from engine.validate import validate_config
    problems = validate_config(cfg)           # again, inside the job: the config that really runs
    if str(cfg.get("mode")) != "live":
        problems.append(("mode", t("live.refuse_mode", want="live", mode=cfg.get("mode"))))
    if problems:
        return report_problems(problems)
    from engine.live import gates
    gate_report = gates.check(cfg)            # the store's evidence: walk-forward + paper of this signature
    if not gate_report.passed:
        for line in gates.lines(gate_report):
            print(line, file=sys.stderr)
        return exit_codes.CHECK_FAILED
    rest = build_live_client(cfg)             # refuses exchange=sim before anything is recorded
    build_live_feed(cfg)
    console = Console(highlight=False)
    print(t("live.started", mode="live", markets=",".join(map(str, cfg.markets)), run_id="…",
            feed=(plain(cfg.feed) or {}).get("url", "-"), exchange=rest.p.base_url), flush=True)
    with StopSignals() as signals:
        res = run_session(cfg, "live", duration_s=duration_of(cfg, duration_s), stop=signals.stop, rest=rest)
    if res.swept_at_start:
        print(t("live.swept", n=len(res.swept_at_start)), flush=True)
    print_result(res, console)
    print(gates.lines(gate_report)[0], flush=True)          # gates passed (which runs) or explicitly off
    _store_gates(cfg, res.run_id, gate_report)
    if res.open_after_stop:
        return exit_codes.CHECK_FAILED      # orders left open outrank the Ctrl-C: the person must look
    if res.status != "done":
        return failed_exit_code(res)        # 3 feed, 4 exchange, 1 engine
    if signals.interrupted:
        print(t("cli.interrupted"), file=sys.stderr)
        return exit_codes.INTERRUPTED
    return exit_codes.OK


def _store_gates(cfg, run_id, gate_report) -> None:
    """The gate outcome beside the run (its config already holds live.gates.enabled)."""
    import registry
    from engine.conf import plain
    from engine.live import gates
    node = plain(cfg.get("store"))
    if not node or run_id is None:
        return
    store = registry.build("store", node, path="store")
    try:
        gates.save(store, run_id, gate_report)
    finally:
        store.close()


def main(argv: list[str]) -> int:
    from engine.i18n import t
    from engine.live.command import force_mode, pop_duration
    argv, duration = pop_duration(argv)
    argv, bad = force_mode(argv, "live")
    if bad:
        print(t("live.refuse_mode", want="live", mode=bad), file=sys.stderr)
        return exit_codes.CONFIG
    # No .hydra/ dump for live runs: it would hold the resolved config (DESIGN §3).
    argv = [*argv, "hydra.output_subdir=null"]
    return hydra_command("live", argv, lambda cfg: job(cfg, duration))
