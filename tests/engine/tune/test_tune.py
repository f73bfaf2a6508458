"""`scalp tune` on the bundled candles: trials priced by the engine walk-forward, recorded, best as an experiment."""
import json

import pytest

import registry
from engine import cli


def _store(path):
    return registry.build("store", {"component": "sqlite", "path": str(path)}, path="store")


def test_three_trials_best_override_reproduces_the_engine_figure(tune_env, capsys):
    import optuna
    from omegaconf import OmegaConf
    from engine.app import compose, job_config
    from engine.settings import settings_of
    from engine.trials import config_hash
    from engine.validate import validate_config
    from engine.walkforward import run_walkforward
    _, args, conf = tune_env
    assert cli.main(["tune", "tune=tiny", "n_trials=3", "--json", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["trials"] == 3 and out["complete"] + out["pruned"] == 3 and out["this_worker"] == [0, 1, 2]
    study = optuna.load_study(study_name="tiny", storage=f"sqlite:///{conf.parent / 'out' / 'tune.db'}")
    assert len(study.trials) == 3

    with _store(conf.parent / "out" / "s.db") as store:           # every trial is a trial of the DSR
        rows = [r for r in store.trials_overlapping(0, 2 ** 62) if r["kind"] == "tune"]
    assert len(rows) == 3
    assert {r["config_hash"] for r in rows} == {tr.user_attrs["config_hash"] for tr in study.trials}
    best = out["best"]
    assert out["dsr"]["deflated_sharpe_trials"] == len({r["config_hash"] for r in rows}) == 3   # N = configs tried

    # the override YAML composes to the best trial's config, validates, and its walk-forward earns the value
    assert out["experiment"] == str(conf / "experiment" / "tuned_tiny.yaml")
    cfg = job_config(compose(["experiment=tuned_tiny", *args]))
    assert validate_config(cfg) == []
    assert config_hash(cfg) == best["config_hash"]
    for path, value in best["params"].items():
        assert OmegaConf.select(cfg, path) == pytest.approx(value)
    registry.load_all()
    again = run_walkforward(cfg, settings_of(cfg).walkforward)
    assert again["evaluation"] == "engine"
    assert again["summary"]["net_pnl_krw"] == pytest.approx(best["value"], abs=1e-6)


def test_each_fold_end_reports_the_cumulative_engine_pnl_and_can_prune(tune_env):
    from engine.tune import objective as obj
    from engine.tune.space import load_space
    from engine.tune.study import compose_trial, trial_overrides
    _, args, _ = tune_env
    space, _ = load_space("tiny")
    cfg = compose_trial(trial_overrides(space, args, {"entry.min_prob": 0.02, "towers.catboost.depth": 3}))
    seen = []
    full = obj.walk_forward(cfg, lambda k, v: seen.append((k, v)) and False)
    per_fold = [r["net_pnl_krw"] for r in full["folds"]]
    assert [k for k, _ in seen] == [0, 1]
    assert seen[1][1] == pytest.approx(sum(per_fold)) and seen[1][1] == pytest.approx(full["summary"]["net_pnl_krw"])
    assert sum(r["trades"] for r in full["folds"]) > 0            # the figures are about real trades
    with pytest.raises(obj.Pruned) as got:
        obj.walk_forward(cfg, lambda k, v: True)
    assert got.value.folds_done == 1 and len(got.value.result["folds"]) == 1
    # the pruned run saw the same first window; trips entered there but still open at its end are left out
    assert obj.cumulative_net_pnl(got.value.result["folds"]) == pytest.approx(seen[0][1])
    assert got.value.result["folds"][0]["trades"] <= full["folds"][0]["trades"]


def test_deflated_sharpe_objective_and_a_study_keeps_its_objective(tune_env, capsys):
    import optuna
    _, args, conf = tune_env
    assert cli.main(["tune", "tune=tiny", "study=dsr", "n_trials=1", "objective=deflated_sharpe", "--json", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    trial = optuna.load_study(study_name="dsr", storage=f"sqlite:///{conf.parent / 'out' / 'tune.db'}").trials[0]
    assert out["objective"] == "deflated_sharpe" and 0.0 <= trial.value <= 1.0
    assert trial.value == pytest.approx(trial.user_attrs.get("deflated_sharpe", 0.0))   # n/a (few trades) -> 0
    assert ("deflated_sharpe" in trial.user_attrs) != ("value_note" in trial.user_attrs)
    assert cli.main(["tune", "tune=tiny", "study=dsr", "n_trials=1", *args]) == 2      # same study, other objective
    assert "study 'dsr' was created for space 'tiny' / objective 'deflated_sharpe'" in capsys.readouterr().err


def test_per_class_runs_one_study_per_class_on_its_own_markets(tune_env, capsys):
    """classes.per_class=true: a study per market class (like train/retrain's model per class), each trial of it
    on that class's markets only, each with its own best override."""
    import optuna
    from engine.app import compose, job_config
    _, args, conf = tune_env
    classes = ["classes.per_class=true", "classes.markets={KRW-BTC:majors,KRW-ETH:alts}"]
    assert cli.main(["tune", "tune=tiny", "study=pc", "n_trials=1", *args, *classes]) == 0
    out = capsys.readouterr().out
    assert "class majors (KRW-BTC)" in out and "class alts (KRW-ETH)" in out
    url = f"sqlite:///{conf.parent / 'out' / 'tune.db'}"
    assert {s.study_name for s in optuna.get_all_study_summaries(url)} >= {"pc-majors", "pc-alts"}
    for cls, market in (("majors", "KRW-BTC"), ("alts", "KRW-ETH")):
        assert len(optuna.load_study(study_name=f"pc-{cls}", storage=url).trials) == 1
        cfg = job_config(compose([f"experiment=tuned_pc-{cls}", *args]))
        assert list(cfg.markets) == [market] and cfg.market_class == cls
