"""`scalp paper [overrides]`: live feed (upbit_ws) + simulated fills through the same engine loop."""
from __future__ import annotations

import sys

from engine import exit_codes
from engine.app import hydra_command

HELP = "paper trading: live market data + simulated fills (run.duration_s or Ctrl-C to stop)"


def job(cfg, duration_s: float | None) -> int:
    from rich.console import Console

    from engine.i18n import t
    from engine.live.command import StopSignals, duration_of, failed_exit_code, print_result
    from engine.live.runner import build_live_feed, run_session
    from engine.conf import plain
    build_live_feed(cfg)                      # refuses a recorded feed before anything is printed or recorded
    console = Console(highlight=False)
    print(t("live.started", mode="paper", markets=",".join(map(str, cfg.markets)), run_id="…",
            feed=(plain(cfg.feed) or {}).get("url", "-"), exchange="sim"), flush=True)
    with StopSignals() as signals:
        res = run_session(cfg, "paper", duration_s=duration_of(cfg, duration_s), stop=signals.stop)
    print_result(res, console)
    if signals.interrupted:
        print(t("cli.interrupted"), file=sys.stderr)
        return exit_codes.INTERRUPTED
    return exit_codes.OK if res.status == "done" else failed_exit_code(res)


def main(argv: list[str]) -> int:
    from engine.i18n import t
    from engine.live.command import force_mode, pop_duration
    argv, duration = pop_duration(argv)
    argv, bad = force_mode(argv, "paper")
    if bad:
        print(t("live.refuse_mode", want="paper", mode=bad), file=sys.stderr)
        return exit_codes.CONFIG
    return hydra_command("paper", argv, lambda cfg: job(cfg, duration))
