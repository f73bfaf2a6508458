"""Search space files: the grammar, the config paths and the bounds are checked before any trial runs."""
import pytest

from engine import cli

GOOD = "  entry.min_edge_pct: float[0.0,0.1]\n"


def _space(conf, params: str, extra: str = "") -> None:
    (conf / "tune" / "bad.yaml").write_text(f"# test space\n{extra}base:\n  - towers=[catboost]\nparams:\n{params}")


@pytest.mark.parametrize("line,path,words", [
    ("  entry.min_edge_pctt: float[0,1]\n", "tune.params.entry.min_edge_pctt", "no such path"),
    ("  towers.catboost.depth: floaty[1,3]\n", "tune.params.towers.catboost.depth", "not a distribution"),
    ("  towers.catboost.depth: int[8,4]\n", "tune.params.towers.catboost.depth", "low bound must be below"),
    ("  towers.catboost.depth: int[2.5,4]\n", "tune.params.towers.catboost.depth", "not a int number"),
    ("  towers.catboost.learning_rate: log[0,1]\n", "tune.params.towers.catboost.learning_rate", "above 0"),
    ("  towers.catboost.learning_rate: float[0.1]\n", "tune.params.towers.catboost.learning_rate", "low and a high"),
    ("  entry.component: float[0,1]\n", "tune.params.entry.component", "not a number"),
    ("  towers.catboost: int[1,3]\n", "tune.params.towers.catboost", "config node"),
    ("  store.path: choice[a,b]\n", "tune.params.store.path", "where results go"),
    ("  exits: choice[majors,nope]\n", "tune.params.exits", "nope"),
    ("  towers.catboost.depth: choice[]\n", "tune.params.towers.catboost.depth", "empty choice"),
])
def test_a_bad_line_is_refused_naming_its_path(tune_env, capsys, line, path, words):
    _, args, conf = tune_env
    _space(conf, GOOD + line)
    assert cli.main(["tune", "tune=bad", *args]) == 2
    err = capsys.readouterr().err
    hit = [ln for ln in err.splitlines() if ln.startswith(path + "  ")]
    assert hit and words in hit[0], err
    assert "tune.params.entry.min_edge_pct " not in err         # the good line is not blamed


def test_a_bound_the_config_refuses_is_found_before_any_trial(tune_env, capsys):
    _, args, conf = tune_env
    _space(conf, "  walkforward.folds: int[0,2]\n")        # folds >= 1: the low corner does not validate
    assert cli.main(["tune", "tune=bad", *args]) == 2
    err = capsys.readouterr().err
    assert "walkforward.folds" in err
    assert not (conf.parent / "out" / "tune.db").exists()      # nothing started


@pytest.mark.parametrize("extra,path", [("n_trials: 0\n", "tune.n_trials"), ("objectiv: net_pnl\n", "tune.objectiv"),
                                        ("objective: sharpe\n", "tune.objective")])
def test_bad_settings_name_their_key(tune_env, capsys, extra, path):
    _, args, conf = tune_env
    _space(conf, GOOD, extra)
    assert cli.main(["tune", "tune=bad", *args]) == 2
    assert any(ln.startswith(path) for ln in capsys.readouterr().err.splitlines())


def test_unknown_space_lists_the_shipped_ones(tune_env, capsys):
    _, args, _ = tune_env
    assert cli.main(["tune", "tune=quik", *args]) == 2
    err = capsys.readouterr().err
    assert "quick" in err and "tiny" in err


def test_no_space_and_help(capsys):
    assert cli.main(["tune"]) == 2
    assert "tune=<" in capsys.readouterr().err
    assert cli.main(["tune", "--help"]) == 0
    out = capsys.readouterr().out
    assert "SCALP_TUNE_STORAGE" in out and "experiment=tuned_" in out


def test_the_shipped_example_passes_its_precheck(tune_env):
    from engine.tune.space import load_space
    from engine.tune.study import precheck
    space, problems = load_space("quick")
    assert problems == [] and precheck(space, []) == []
