"""The Optuna study: storage (SQLite beside the store, or a shared URL), trials composed, validated and priced."""
from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path
from typing import Any

from engine.i18n import t
from engine.tune.space import Space, check_path, override

STORAGE_ENV = "SCALP_TUNE_STORAGE"      # e.g. postgresql+psycopg://user:pw@host/db: workers on many machines


class TrialConfigError(Exception):
    """A trial's composed config did not validate: the trial fails, the study goes on."""


def storage_url(cfg: Any) -> str:
    """$SCALP_TUNE_STORAGE, else SQLite `tune.db` in the store's folder (the run folder for a non-file store)."""
    env = os.environ.get(STORAGE_ENV, "").strip()
    if env:
        return env
    store = cfg.get("store") or {}
    folder = Path(str(store.get("path"))).parent if store.get("path") else Path(str(cfg.run.out_dir))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'tune.db').resolve()}"


def shown_url(url: str) -> str:
    """The storage URL without its password (printed)."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def retried(make, tries: int = 5, wait_s: float = 0.5):
    """`make()`, again after a short wait when it fails: workers started together race on creating the
    tables of a new database (the study's and the store's); the loser sees them half made once."""
    import time
    for attempt in range(tries):
        try:
            return make()
        except Exception:
            if attempt == tries - 1:
                raise
            time.sleep(wait_s * (attempt + 1))


def prepare_store(cfg: Any) -> None:
    """Open (and so migrate) the store the trials are recorded in before any trial runs."""
    from engine.trials import open_store
    store = retried(lambda: open_store(cfg))
    if store is not None:
        store.close()


def open_study(url: str, name: str, space: Space, seed: int | None):
    """Create or join the study `name` (several workers may call this at once)."""
    import optuna
    kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    storage = retried(lambda: optuna.storages.RDBStorage(url, engine_kwargs=kwargs))
    if seed is None:        # workers sharing a study must not draw the same sequence
        seed = (os.getpid() ^ zlib.crc32(os.uname().nodename.encode())) & 0x7FFFFFFF
    sampler = optuna.samplers.TPESampler(seed=seed)
    s = space.settings
    pruner = optuna.pruners.MedianPruner(n_startup_trials=s.startup_trials, n_warmup_steps=0) \
        if s.pruner == "median" else optuna.pruners.NopPruner()
    study = optuna.create_study(storage=storage, study_name=name, direction="maximize", sampler=sampler,
                                pruner=pruner, load_if_exists=True)
    known = study.user_attrs.get("space")
    if known is None:
        study.set_user_attr("space", space.name)
        study.set_user_attr("objective", s.objective)
    elif known != space.name or study.user_attrs.get("objective") != s.objective:
        raise ValueError(t("tune.study_mismatch", study=name, space=known,
                           objective=study.user_attrs.get("objective")))
    return study


def trial_overrides(space: Space, extra: list[str], params: dict) -> list[str]:
    """Base overrides (the space's, then the command line's) with the trial's params last; a param's path
    given in the base is the param's."""
    dist = {d.path: d for d in space.dists}
    base = [o for o in [*space.settings.base, *extra] if o.split("=", 1)[0].lstrip("+~") not in dist]
    return base + [override(dist[p], v) for p, v in params.items()]


def precheck(space: Space, extra: list[str]) -> list[tuple[str, str]]:
    """Every parameter path exists in the composed base config, and the configs at the bounds validate."""
    from engine.app import _composition_problem, compose, job_config
    from engine.app import precheck as app_precheck
    base = [*space.settings.base, *extra]
    try:
        cfg = job_config(compose(base))
    except Exception as e:
        return [_composition_problem(e, base)]
    problems = [(f"tune.params.{d.path}", why) for d in space.dists if (why := check_path(d, cfg))]
    if problems:
        return problems
    width = max(len(d.corners()) for d in space.dists)
    for i in range(width):           # lows together, highs together, every choice at least once
        params = {d.path: d.corners()[min(i, len(d.corners()) - 1)] for d in space.dists}
        _, found = app_precheck(trial_overrides(space, extra, params), multirun=False)
        problems += [p for p in found if p not in problems]
    return problems


def compose_trial(overrides: list[str]):
    """The trial's config, composed and validated exactly like a run's."""
    import registry
    from engine.app import compose, job_config
    from engine.settings import job_start
    from engine.validate import validate_config
    cfg = job_config(compose(overrides))
    problems = validate_config(cfg)
    if problems:
        raise TrialConfigError("; ".join(f"{p}  {m}" for p, m in problems))
    registry.load_all()
    job_start(cfg)
    return cfg


def duplicate_of(study: Any, params: dict):
    """A finished trial of the study with exactly these params (its value stands for this one), else None."""
    import optuna
    for tr in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        if tr.params == params:
            return tr
    return None


def run_trials(study: Any, space: Space, extra: list[str], n_trials: int, quiet: bool = False) -> list[int]:
    """This worker's `n_trials` trials (one progress bar on stderr); returns their trial numbers."""
    import optuna
    from tqdm import tqdm
    from engine.settings import settings_of
    from engine.tune import objective as obj
    mine: list[int] = []
    bar = tqdm(total=n_trials, desc=t("tune.progress", study=study.study_name), file=sys.stderr, disable=quiet,
               unit="trial", dynamic_ncols=True)

    def one(trial) -> float:
        mine.append(trial.number)
        params = {d.path: d.suggest(trial) for d in space.dists}
        same = duplicate_of(study, params)
        if same is not None:
            trial.set_user_attr("duplicate_of", same.number)
            for k in ("config_hash", "trades", "net_pnl_krw", "deflated_sharpe", "dsr_trials"):
                if k in same.user_attrs:
                    trial.set_user_attr(k, same.user_attrs[k])
            return float(same.value)
        try:
            cfg = compose_trial(trial_overrides(space, extra, params))
        except TrialConfigError as e:
            print(t("tune.trial_invalid", n=trial.number, detail=str(e)), file=sys.stderr)
            raise
        folds = settings_of(cfg).walkforward.folds
        steps = tqdm(total=2 * folds, desc=t("tune.trial_progress", n=trial.number), file=sys.stderr,
                     disable=quiet, leave=False, unit="step", dynamic_ncols=True)

        def report(k: int, value: float) -> bool:
            trial.report(value, k)
            return k < folds - 1 and trial.should_prune()
        try:
            result = obj.walk_forward(cfg, report, tick=lambda _phase: steps.update(1))
        except obj.Pruned as p:
            _attrs(trial, obj.record(cfg, p.result), p.folds_done)
            raise optuna.TrialPruned(t("tune.pruned", folds=p.folds_done)) from None
        finally:
            steps.close()
        result = obj.record(cfg, result)
        value, why = obj.value_of(result, space.settings.objective)
        _attrs(trial, result, folds)
        if why:
            trial.set_user_attr("value_note", why)
        return value

    def done(st, frozen) -> None:
        best = _best_value(st)
        bar.set_postfix_str(t("tune.bar_postfix", n=frozen.number, state=frozen.state.name.lower(),
                              value=_fmt(frozen.value), best=_fmt(best)))
        bar.update(1)

    try:
        study.optimize(one, n_trials=n_trials, callbacks=[done], catch=(TrialConfigError,))
    finally:
        bar.close()
    return mine


def _attrs(trial: Any, result: dict, folds_done: int) -> None:
    s = result["summary"]
    trial.set_user_attr("folds_done", int(folds_done))
    for key, attr in (("config_hash", "config_hash"), ("trades", "trades"), ("net_pnl_krw", "net_pnl_krw"),
                      ("deflated_sharpe", "deflated_sharpe"), ("deflated_sharpe_trials", "dsr_trials")):
        v = s.get(key)
        if isinstance(v, (int, float, str)) and (not isinstance(v, float) or v == v):
            trial.set_user_attr(attr, v)


def _best_value(study: Any) -> float | None:
    try:
        return study.best_value
    except ValueError:
        return None


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
