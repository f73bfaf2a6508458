"""The study's outcome: the best trial as an experiment YAML (`scalp backtest experiment=<name>`) and a report."""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from engine.conf import conf_dir
from engine.i18n import t
from engine.tune.space import NOT_TUNABLE, Space


def experiment_name(study: str) -> str:
    """`tuned_<study>` with anything but letters, digits, `_` and `-` replaced."""
    return "tuned_" + re.sub(r"[^A-Za-z0-9_-]", "_", study)


def _set(tree: dict, dotted: str, value: Any) -> None:
    node = tree
    *parents, leaf = dotted.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = value


def experiment_yaml(overrides: list[str], header: list[str]) -> str:
    """A `# @package _global_` experiment that composes to what `overrides` compose to: group choices as
    `override /group: option` defaults, values as nested keys (applied after those groups)."""
    import yaml
    from hydra.core.override_parser.overrides_parser import OverridesParser
    groups, values, skipped = [], {}, []
    for o in OverridesParser.create().parse_overrides(overrides=overrides):
        key = o.key_or_group
        if key.split(".")[0].split("/")[0] in NOT_TUNABLE:
            continue
        if o.is_delete():
            skipped.append(o.input_line)
        elif "." not in key and (conf_dir() / key).is_dir():
            groups.append({f"override /{key}": o.value()})
        else:
            _set(values, key, o.value())
    lines = ["# @package _global_", *(f"# {h}" for h in header)]
    lines += [f"# not expressible in an experiment, add on the command line: {s}" for s in skipped]
    body = ({"defaults": groups} if groups else {}) | values
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, default_flow_style=None)


def write_experiment(name: str, text: str) -> Path:
    """conf/experiment/<name>.yaml, replaced atomically (several workers may finish at once)."""
    folder = conf_dir() / "experiment"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path


def importance(study: Any) -> tuple[dict[str, float], str | None]:
    """Parameter importance (fANOVA) of the complete trials, or ({}, why not)."""
    import optuna
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(done) < 2 or len({tr.value for tr in done}) < 2:
        return {}, t("tune.importance_na", n=len(done))
    try:
        return dict(optuna.importance.get_param_importances(study)), None
    except (RuntimeError, ValueError) as e:
        return {}, str(e).splitlines()[0]


def dsr_given_n(cfg: Any, config_hash: str | None) -> dict:
    """The best trial's deflated Sharpe against every trial the store holds on an overlapping span (N)."""
    from engine.trials import deflate, min_trades_of, open_store
    store = open_store(cfg)
    if store is None or not config_hash:
        return {"deflated_sharpe": math.nan, "deflated_sharpe_trials": 0, "note": t("tune.dsr_missing")}
    try:
        mine = [r for r in store.trials_overlapping(0, 2 ** 62) if r.get("config_hash") == config_hash]
        if not mine:
            return {"deflated_sharpe": math.nan, "deflated_sharpe_trials": 0, "note": t("tune.dsr_missing")}
        row = max(mine, key=lambda r: (r["span_end_ms"] - r["span_start_ms"], r["id"]))   # the full run, latest
        others = store.trials_overlapping(int(row["span_start_ms"]), int(row["span_end_ms"]))
    finally:
        store.close()
    got = deflate(list(row.get("returns") or []), others, config_hash, int(row.get("trades") or 0), min_trades_of(cfg))
    return {**got, "trades": int(row.get("trades") or 0), "min_trades": min_trades_of(cfg)}


def summary(study: Any, space: Space, cfg: Any, storage: str, mine: list[int], exp_path: Path | None) -> dict:
    """What the report prints and writes: counts, best trial, importance, DSR given N."""
    import optuna
    states = [tr.state for tr in study.get_trials(deepcopy=False)]
    S = optuna.trial.TrialState
    out = {"study": study.study_name, "space": space.name, "objective": space.settings.objective,
           "storage": storage, "trials": len(states), "complete": states.count(S.COMPLETE),
           "pruned": states.count(S.PRUNED), "failed": states.count(S.FAIL), "this_worker": mine,
           "experiment": str(exp_path) if exp_path else None}
    try:
        best = study.best_trial
    except ValueError:
        return {**out, "best": None}
    imp, imp_note = importance(study)
    out["best"] = {"number": best.number, "value": best.value, "params": best.params, **best.user_attrs}
    out["importance"], out["importance_note"] = imp, imp_note
    out["dsr"] = dsr_given_n(cfg, best.user_attrs.get("config_hash"))
    return out


def write_report(out: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tune_report.json"
    from engine.artifacts import clean
    path.write_text(json.dumps(clean(out), indent=2, default=str))
    return path


def print_report(out: dict) -> None:
    """The short report on stdout."""
    from engine.trials import shown
    print(t("tune.head", study=out["study"], space=out["space"], objective=out["objective"], storage=out["storage"]))
    print(t("tune.counts", n=out["trials"], complete=out["complete"], pruned=out["pruned"], failed=out["failed"],
            mine=",".join(map(str, out["this_worker"])) or "-"))
    b = out.get("best")
    if not b:
        print(t("tune.no_best"))
        return
    print(t("tune.best", n=b["number"], value=_num(b["value"]), pnl=_num(b.get("net_pnl_krw")),
            trades=int(b["trades"]) if isinstance(b.get("trades"), (int, float)) else "–"))
    for k, v in b["params"].items():
        print(f"  {k} = {v}")
    if out.get("importance"):
        print(t("tune.importance", items=" · ".join(f"{k} {v:.2f}" for k, v in out["importance"].items())))
    else:
        print(t("tune.importance_none", why=out.get("importance_note") or "-"))
    d = out["dsr"]
    stats = {**d, "trades": d.get("trades", 0), "min_trades": d.get("min_trades", 30)}
    if d.get("note"):
        print(t("tune.dsr_line", dsr="n/a", trials=d.get("deflated_sharpe_trials", 0)) + f" ({d['note']})")
    else:
        print(t("tune.dsr_line", dsr=shown(stats, "deflated_sharpe", lambda v: _num(v)),
                trials=d.get("deflated_sharpe_trials", 0)))
    if out.get("experiment"):
        print(t("tune.experiment", path=out["experiment"], name=Path(out["experiment"]).stem))


def _num(v: Any) -> str:
    if not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.4f}"
