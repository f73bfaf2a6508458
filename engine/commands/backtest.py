"""`scalp backtest [overrides]`: the main job — replay data through the engine, print a summary, write a report."""
from __future__ import annotations

from omegaconf import DictConfig

from engine.app import hydra_command

HELP = "run the bot on recorded data; summary table + HTML report (the main job)"


def job(cfg: DictConfig) -> int:
    from rich.console import Console

    from engine.backtest import run_backtest
    from engine.i18n import t
    from engine.summary import render
    console = Console(highlight=False)
    res = run_backtest(cfg, progress=True, console=console)
    if res.loop.absent_roles and res.loop.fusion is not None:
        console.print(t("backtest.absent_roles", roles=", ".join(res.loop.absent_roles)))
    render(res.summary, console)
    wall = res.data.meta["wall_s"]
    console.print(t("backtest.done", run_id=res.run_id if res.run_id is not None else "-",
                    events=res.data.meta["events"], wall_s=wall, rate=res.data.meta["events"] / max(wall, 1e-9)))
    print(t("report.path", path=res.report), flush=True)
    return 0


def main(argv: list[str]) -> int:
    return hydra_command("backtest", argv, job)
