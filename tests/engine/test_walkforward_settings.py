"""One set of walk-forward settings: `walkforward.*` overrides and their `--flag` aliases mean the same to
`walkforward`, `train` and `leakcheck` (and `backtest`, which reads the same node); bad values name the key."""
import json

import pytest

from engine import exit_codes
from engine.commands import leakcheck, train, walkforward
from engine.settings import WalkForwardParams

FAST = ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.depth=3",
        "towers.catboost.boosting_type=Plain", "markets=[KRW-SOL,KRW-XRP]", "entry=cost_aware"]


def _out(tmp_path):
    return [f"run.out_dir={tmp_path}", f"store.path={tmp_path / 's.db'}"]


def test_the_override_sets_the_number_of_folds(capsys, tmp_path):
    code = walkforward.main(["--json", "walkforward.folds=2", "walkforward.baseline_draws=20",
                             "walkforward.engine_loop=false", *FAST, *_out(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert len(json.loads(out.strip().splitlines()[-1])["folds"]) == 2


@pytest.mark.parametrize("argv", [["--folds=0"], ["--folds", "0"], ["walkforward.folds=0"]])
def test_a_bad_flag_value_is_named_by_its_override(capsys, argv):
    assert walkforward.main([*argv, "ui.lang=en"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("walkforward.folds  ") for line in err), err
    assert not any("pydantic" in line or "validation error" in line for line in err), err


def test_flags_are_aliases_of_the_overrides():
    flags, rest = walkforward.split_flags(["--json", "--folds=3", "--cal-days", "0.5", "markets=[KRW-SOL]"])
    assert flags == {"json": True}
    assert rest == ["markets=[KRW-SOL]", "walkforward.folds=3", "walkforward.cal_days=0.5"]
    with pytest.raises(ValueError, match="--folds"):
        walkforward.split_flags(["--fold=3"])


def _captured(monkeypatch, module, name):
    """Replace the command's work with a recorder of the walk-forward settings it was handed."""
    seen = []

    def fake(cfg, wf, *a, **k):
        seen.append(wf)
        return []
    monkeypatch.setattr(module, name, fake)
    return seen


@pytest.mark.parametrize("argv, folds, draws", [([], 2, 1000), (["walkforward.folds=3"], 3, 1000),
                                                (["--folds=4", "walkforward.baseline_draws=20"], 4, 20)])
def test_leakcheck_reads_the_walkforward_node(monkeypatch, capsys, argv, folds, draws):
    import engine.checks.leak as leak
    seen = _captured(monkeypatch, leak, "run_all")
    assert leakcheck.main(["--json", *argv]) == 0, capsys.readouterr()
    (wf,) = seen
    assert isinstance(wf, WalkForwardParams)
    assert (wf.folds, wf.baseline_draws, wf.engine_loop) == (folds, draws, False)   # leakcheck: 2 folds unless told


def test_leakcheck_flag_validation_names_the_key(capsys):
    assert leakcheck.main(["--folds=0", "ui.lang=en"]) == 2
    assert any(line.startswith("walkforward.folds  ") for line in capsys.readouterr().err.splitlines())


def test_walkforward_takes_seed_and_initial_krw_from_the_root(monkeypatch, tmp_path):
    import engine.walkforward as ewf
    seen = []

    def fake_run(cfg, wf, progress=None):
        seen.append(wf)
        raise ValueError("recorded")          # the command reports it as a data problem
    monkeypatch.setattr(ewf, "run_walkforward", fake_run)
    assert walkforward.main(["seed=7", "initial_krw=2000000", "--folds=3", *_out(tmp_path)]) == exit_codes.DATA
    (wf,) = seen
    assert (wf.seed, wf.initial_krw, wf.folds) == (7, 2_000_000, 3)


def test_train_reads_the_walkforward_node(capsys, tmp_path):
    """The calibration window of `scalp train` follows walkforward.cal_days, flag or override alike."""
    rows = {}
    for key, argv in (("override", ["walkforward.cal_days=0.5"]), ("flag", ["--cal-days=0.5"]),
                      ("wider", ["walkforward.cal_days=1", "walkforward.stride_bars=4"])):
        code = train.main(["--json", *argv, *FAST, *_out(tmp_path / key)])
        out = capsys.readouterr().out
        assert code == 0, out
        doc = json.loads(out.strip().splitlines()[-1])
        rows[key] = (doc["train_rows"], doc["cal_rows"])
    assert rows["override"] == rows["flag"]
    # twice the days at twice the stride: about the same number of calibration rows, fewer training rows
    assert rows["wider"][0] < rows["override"][0]
    assert abs(rows["wider"][1] - rows["override"][1]) <= 0.1 * rows["override"][1]


def test_train_saves_every_tower_it_fits(capsys, tmp_path):
    from pathlib import Path
    import registry
    code = train.main(["--json", "towers=[catboost,regime]", *FAST[1:], *_out(tmp_path)])
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and set(doc["model_paths"]) == set(doc["towers"]) == {"catboost", "regime"}
    path = doc["model_paths"]["regime"]
    assert json.loads((Path(path) / "weights.json").read_text())["fitted"]       # learned, not the prior
    regime = registry.build("tower", {"component": "regime", "model_path": path})
    assert regime.signature["span_ms"] == doc["signatures"]["regime"]["span_ms"] is not None
