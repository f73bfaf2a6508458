"""`scalp walkforward [--json] [--folds=N ...] [overrides]`: purged walk-forward with a random-entry baseline."""
from __future__ import annotations

import json
import math
import sys

from engine import exit_codes
from engine.app import hydra_command
from engine.i18n import problem_text, t

HELP = "purged walk-forward: train -> calibrate -> test per fold, metrics vs random entry"


def split_flags(argv: list[str], bools: tuple[str, ...] = ("--json",)) -> tuple[dict, list[str]]:
    """`--json` -> {json: True}; `--folds=4` / `--folds 4` -> the override `walkforward.folds=4`.

    Value flags are aliases of the `walkforward.*` overrides (dashes -> underscores) and are placed after
    the other arguments, so validation names `walkforward.folds` exactly as for the override; unknown
    flags raise ValueError naming the options. Returns (bool flags, overrides).
    """
    from engine.settings import WalkForwardParams
    fields = set(WalkForwardParams.model_fields) - {"leak"}
    flags, rest, aliased, i = {}, [], [], 0
    while i < len(argv):
        a = argv[i]
        if a in bools:
            flags[a[2:]] = True
        elif a.startswith("--") and a not in ("--multirun",):
            key, eq, val = a[2:].partition("=")
            key = key.replace("-", "_")
            if key not in fields:
                raise ValueError(t("wf.bad_flag", flag=a, options=", ".join(
                    list(bools) + sorted(f"--{f.replace('_', '-')}" for f in fields))))
            if not eq:
                i += 1
                val = argv[i] if i < len(argv) else ""
            aliased.append(f"walkforward.{key}={val}")
        else:
            rest.append(a)
        i += 1
    return flags, rest + aliased


def params_from(cfg, **fixed):
    """The job's typed `walkforward` settings (validated once at job start), with `fixed` fields a command
    always sets itself (leakcheck: no engine replay)."""
    from engine.settings import settings_of
    wf = settings_of(cfg).walkforward
    return wf.model_copy(update=fixed) if fixed else wf


def _f(v, nd=4):
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else \
        (f"{v:,.0f}" if isinstance(v, float) and abs(v) >= 100 else f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def print_table(result: dict, wf) -> None:
    from rich.console import Console
    from rich.table import Table
    from engine.artifacts import fold_columns
    table = Table(title=t("wf.title", label=result["label"], markets=",".join(result["markets"]), rows=result["rows"]))
    short = {"max_drawdown": "max_dd", "baseline_net_pnl": "base_pnl", "baseline_p_value": "base_p",
             "estimate_trades": "est_n", "estimate_net_pnl": "est_pnl", "fees_krw": "fees",
             "spread_slippage_krw": "spr_slip", "train_seconds": "train_s", "log_loss": "logloss",
             "drift_ks_max": "ks_max", "drift_features_share": "drift_sh", "calibration_ece": "ece_recent",
             "auc_direction": "auc_dir", "auc_volatility_ref": "auc_vol"}
    cols = fold_columns(result)
    for c in cols:
        table.add_column(short.get(c, c), justify="right")
    for r in result["folds"]:
        table.add_row(*["n/a" if c in (r.get("na_reason") or {}) else _f(r.get(c)) for c in cols])
    Console(width=max(200, Console().width, 11 * len(cols))).print(table)     # one column ~ 11 chars: never squeezed
    first = result["folds"][0] if result["folds"] else {}
    print(t("wf.towers", towers=",".join(first.get("towers") or []), fusion=first.get("fusion") or "-",
            weights=json.dumps(first.get("fusion_weights") or {})))
    for tid, why in (result.get("towers_skipped") or {}).items():
        print(t("wf.skipped", tower=tid, reason=why))
    s = result["summary"]
    print(t("wf.summary", auc=_f(s["auc"]), brier=_f(s["brier"]), ece=_f(s["ece"]), pnl=_f(s["net_pnl"]),
            base=_f(s["baseline_net_pnl"]), trades=_f(s["trades"], 0), est=_f(s.get("estimate_net_pnl"))))
    if "prediction_verdict" in s:          # the entry's promise vs the engine's trades, all folds
        from engine.summary import predicted_value
        print(f'{t("summary.predicted")}: {predicted_value(s)}')
    if s.get("estimate_top_rows"):
        from engine.walkforward import TOP_SHARE
        print(t("wf.predicted_top", share=_f(100 * TOP_SHARE, 0), n=s["estimate_top_rows"],
                predicted=_f(1e4 * s["estimate_top_predicted_net_return_mean"], 1),
                realised=_f(1e4 * s["estimate_top_net_return_mean"], 1)))
    c = result.get("costs") or {}
    print(t("wf.costs", notional=f"{wf.notional_krw:,.0f}", fee=_f(c.get("fee_rate", math.nan) * 100),
            spread=_f(c.get("spread_floor_frac", math.nan) * 100), slip=_f(c.get("slippage_frac", math.nan) * 100)))
    from engine.trials import shown
    print(t("trials.dsr", dsr=shown(s, "deflated_sharpe", _f), trials=s.get("deflated_sharpe_trials", 0),
            skew=_f(s.get("returns_skew"), 2), kurt=_f(s.get("returns_kurtosis"), 1),
            sharpe=shown(s, "sharpe", lambda v: _f(v, 2))))
    print("  " + t("trials.dsr_note"))
    print("  " + t("wf.drift_note"))


def run_and_record(cfg, flags: dict, command: str, **fixed) -> tuple[dict, object, object]:
    """Run the walk-forward with a progress bar on stderr; store it; write JSON + report.html."""
    from rich.progress import Progress
    from engine import artifacts
    from engine.walkforward import run_walkforward
    wf = params_from(cfg, **fixed)
    with Progress(transient=True, console=_stderr_console(), disable=bool(flags.get("json"))) as prog:
        task = prog.add_task(t("wf.progress"), total=wf.folds)
        result = run_walkforward(cfg, wf, progress=lambda k, n: prog.update(task, completed=k))
    out = artifacts.run_dir(cfg, command)
    result["run_id"] = artifacts.store_result(cfg, command, result)
    from engine.trials import record_walkforward
    record_walkforward(cfg, result, result["run_id"], wf.min_trades)
    result["json_path"] = str(artifacts.write_json(result, out))
    result["report_path"] = str(artifacts.write_report(result, out))
    return result, wf, out


def _stderr_console():
    from rich.console import Console
    return Console(file=sys.stderr)


def flagged_command(name: str, argv: list[str], work, show, defaults: tuple[str, ...] = ()) -> int:
    """`scalp <name> [--flags] [overrides]` for the walk-forward family: value flags become `walkforward.*`
    overrides (after the command's own `defaults`, so the user's word wins), then inside the Hydra job run
    `work(cfg, flags)` (a data or fold problem -> one line, exit 3) and `show(cfg, flags, result)`."""
    try:
        flags, rest = split_flags(argv)
        rest = [*defaults, *rest]
    except ValueError as e:
        from engine.cli import usage_line
        print(e, file=sys.stderr)
        print(usage_line(name), file=sys.stderr)
        return exit_codes.CONFIG

    def job(cfg) -> int:
        try:
            result = work(cfg, flags)
        except (ValueError, FileNotFoundError) as e:
            print(t("wf.error", detail=problem_text(e)), file=sys.stderr)
            return exit_codes.DATA
        return show(cfg, flags, result)

    return hydra_command(name, rest, job, json_out=bool(flags.get("json")))


def _show(cfg, flags: dict, got) -> int:
    from engine import artifacts
    result, wf, _ = got
    if flags.get("json"):
        print(json.dumps(artifacts.clean({"folds": [{k: v for k, v in r.items() if k != "calibration_curve"}
                                                     for r in result["folds"]],
                                          "summary": result["summary"], "label": result["label"],
                                          "markets": result["markets"], "towers_skipped": result["towers_skipped"],
                                          "boosting_type": wf.boosting_type,
                                          "notes": {"deflated_sharpe": artifacts.DSR_NOTE,
                                                    "drift": artifacts.DRIFT_NOTE},
                                          "report": result["report_path"]})))
        return 0
    print_table(result, wf)
    print(t("run.saved", path=result["json_path"]))
    print(t("run.report", path=result["report_path"]))
    return 0


def main(argv: list[str]) -> int:
    from engine.commands.train import show_tick_walkforward, tick_walkforward

    def work(cfg, flags):          # tick towers only (hfp): folds over one-second rows of the tick feed
        return tick_walkforward(cfg, params_from(cfg)) or run_and_record(cfg, flags, "walkforward")

    def show(cfg, flags, got):
        if isinstance(got, dict) and got.get("ticks"):
            return show_tick_walkforward(got, bool(flags.get("json")))
        return _show(cfg, flags, got)
    return flagged_command("walkforward", argv, work, show)
