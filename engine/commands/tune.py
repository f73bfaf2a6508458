"""`scalp tune tune=<space> [study=<id>] [n_trials=N] [objective=...] [--json] [overrides]`: an Optuna study."""
from __future__ import annotations

import json
import sys

from engine import exit_codes
from engine.i18n import problem_text, set_lang, t

HELP = "Optuna study over conf/tune/<name>.yaml, each trial priced by the engine walk-forward"
OWN = ("tune", "study", "n_trials", "objective", "seed")     # the command's own key=value arguments


def parse(argv: list[str]) -> tuple[dict, list[str], bool]:
    """(own arguments, base overrides for every trial, --json); ValueError names what is wrong."""
    own, rest, as_json = {}, [], False
    for a in argv:
        if a == "--json":
            as_json = True
        elif a.startswith("-"):
            raise ValueError(t("cli.unknown_option", flag=a.split("=", 1)[0]))
        elif a.split("=", 1)[0] in OWN and "=" in a:
            own[a.split("=", 1)[0]] = a.split("=", 1)[1]
        else:
            rest.append(a)
    if not own.get("tune"):
        raise ValueError(t("tune.need_space"))
    return own, rest, as_json


def _problems(problems: list[tuple[str, str]]) -> int:
    from engine.app import report_problems
    return report_problems(problems)


def main(argv: list[str]) -> int:
    from engine.cli import usage_line
    from engine.tune.space import SpaceError, TuneSettings, load_space
    try:
        own, extra, as_json = parse(argv)
    except ValueError as e:
        print(e, file=sys.stderr)
        print(usage_line("tune"), file=sys.stderr)
        return exit_codes.CONFIG
    from engine.app import _lang_from
    _lang_from(extra)
    try:
        space, problems = load_space(own["tune"])
    except SpaceError as e:
        return _problems(e.problems)
    if problems:
        return _problems(problems)
    import yaml
    changes = {k: yaml.safe_load(own[k]) for k in ("n_trials", "objective", "seed") if k in own}   # seed=null
    if changes:
        from pydantic import ValidationError
        from engine.i18n import pydantic_text
        try:
            space.settings = TuneSettings(**(space.settings.model_dump() | changes))
        except ValidationError as e:
            return _problems([("tune." + ".".join(map(str, err["loc"])), pydantic_text(err))
                              for err in e.errors(include_input=False)])
    return run_classes(space, own.get("study") or own["tune"], extra, as_json)


# overrides that pick the markets of a study: per-class studies set their own
_CLASS_KEYS = ("markets=", "market_class=", "classes.markets=", "classes.per_class=")


def run_classes(space, study_name: str, extra: list[str], as_json: bool) -> int:
    """`classes.per_class=true`: one study per market class on that class's markets (study `<id>-<class>`, best
    override `tuned_<id>-<class>`), as `scalp train` and `retrain` fit one model per class; else one study."""
    from engine.models.classes import class_groups
    from engine.models.per_class import per_class
    from engine.tune import study as st
    try:
        base_cfg = st.compose_trial([*space.settings.base, *extra])
    except Exception:  # noqa: BLE001  run() reports what is wrong with the config, with its dotted path
        return run(space, study_name, extra, as_json)
    if not per_class(base_cfg):
        return run(space, study_name, extra, as_json)
    keep = [o for o in extra if not o.lstrip("+~").startswith(_CLASS_KEYS)]
    rc = exit_codes.OK
    for cls, markets in class_groups(base_cfg).items():
        if not as_json:
            print(t("tune.class", cls=cls, markets=", ".join(markets)))
        got = run(space, f"{study_name}-{cls}", [*keep, f"markets=[{','.join(markets)}]", f"market_class={cls}"],
                  as_json)
        rc = rc or got
    return rc


def run(space, study_name: str, extra: list[str], as_json: bool) -> int:
    import optuna
    from components.types.feed.errors import DataError
    from engine import artifacts
    from engine.tune import best as best_mod
    from engine.tune import study as st
    problems = st.precheck(space, extra)
    if problems:
        return _problems(problems)
    base_cfg = st.compose_trial([*space.settings.base, *extra])
    set_lang(str(base_cfg.ui.lang))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = st.storage_url(base_cfg)
    try:
        st.prepare_store(base_cfg)
        study = st.open_study(url, study_name, space, space.settings.seed)
    except ValueError as e:
        return _problems([("study", str(e))])
    except Exception as e:          # unreachable database, bad URL: the study's storage is the data here
        print(t("tune.storage_error", storage=st.shown_url(url), detail=problem_text(e)), file=sys.stderr)
        return exit_codes.DATA
    try:
        mine = st.run_trials(study, space, extra, space.settings.n_trials, quiet=as_json)
    except (ValueError, FileNotFoundError, DataError) as e:
        print(t("wf.error", detail=problem_text(e)), file=sys.stderr)
        return exit_codes.DATA
    exp_path = None
    try:
        winner = study.best_trial
    except ValueError:
        winner = None
    if winner is not None:
        overrides = st.trial_overrides(space, extra, winner.params)
        header = [t("tune.yaml_header", study=study.study_name, space=space.name, n=winner.number,
                    objective=space.settings.objective, value=winner.value),
                  f"scalp backtest experiment={best_mod.experiment_name(study.study_name)}"]
        exp_path = best_mod.write_experiment(best_mod.experiment_name(study.study_name),
                                             best_mod.experiment_yaml(overrides, header))
    out = best_mod.summary(study, space, base_cfg, st.shown_url(url), mine, exp_path)
    out["report"] = str(best_mod.write_report(out, artifacts.run_dir(base_cfg, "tune")))
    if as_json:
        print(json.dumps(artifacts.clean(out)))
    else:
        best_mod.print_report(out)
        print(t("run.saved", path=out["report"]))
    return exit_codes.OK if winner is not None else exit_codes.CHECK_FAILED
