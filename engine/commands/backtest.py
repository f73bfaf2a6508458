"""`scalp backtest [overrides]`: the main job — replay data through the engine, print a summary, write a report."""
from __future__ import annotations

from omegaconf import DictConfig

from engine import exit_codes
from engine.app import hydra_command

HELP = "run the bot on recorded data; summary table + HTML report (the main job)"


def job(cfg: DictConfig) -> int:
    from rich.console import Console

    from engine.backtest import run_backtest
    from engine.i18n import t
    from engine.summary import render
    from engine.wf_backtest import needs_training, run_walkforward_backtest
    console = Console(highlight=False)
    if needs_training(cfg):
        # Trainable towers without a saved model: walk forward — refit on the past, trade the next window.
        def say(fold, row):
            console.print(t("backtest.wf.fold", fold=fold.k + 1, start=_day(fold.bounds_ms["test_start"]),
                            end=_day(fold.bounds_ms["test_end"]), auc=row.get("auc", float("nan")),
                            train_s=row.get("train_seconds", 0.0)))
        res = run_walkforward_backtest(cfg, progress=True, console=console, say=say)
        console.print(t("backtest.wf.summary", folds=len(res.data.meta["walkforward"]["folds"]),
                        start=_day(res.data.meta["trading_from_ms"]), train_s=res.data.meta["train_s"]))
    else:
        res = run_backtest(cfg, progress=True, console=console)
    if res.loop.absent_roles and res.loop.fusion is not None:
        console.print(t("backtest.absent_roles", roles=", ".join(res.loop.absent_roles)))
    render(res.summary, console)
    _dropped(res.summary.get("quality") or {})
    wall = res.data.meta["wall_s"]
    console.print(t("backtest.done", run_id=res.run_id if res.run_id is not None else "-",
                    events=res.data.meta["events"], wall_s=wall, rate=res.data.meta["events"] / max(wall, 1e-9)))
    print(t("report.path", path=res.report), flush=True)
    if res.summary.get("decisions", 0) == 0:      # nothing was ever decided: the run measured nothing
        import sys
        print(t("backtest.never_warm", events=res.data.meta["events"],
                skips=res.data.meta.get("warmup_skips", 0)), file=sys.stderr)
        return exit_codes.CHECK_FAILED
    return exit_codes.OK


def _dropped(quality: dict) -> None:
    """Rows the feed refused (bad rows skipped, outlier prices) are named on stderr too, never only in a table."""
    import sys

    from engine.i18n import t
    bad, outliers = int(quality.get("bad_rows", 0)), int(quality.get("outliers", 0))
    if bad or outliers:
        print(t("backtest.data_dropped", bad_rows=bad, outliers=outliers), file=sys.stderr)


def _day(ts_ms) -> str:
    import datetime as dt
    if ts_ms is None:
        return "-"
    return dt.datetime.fromtimestamp(int(ts_ms) / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def main(argv: list[str]) -> int:
    return hydra_command("backtest", argv, job)
