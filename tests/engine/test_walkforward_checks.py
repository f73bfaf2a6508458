"""`scalp validate` link checks of MODELS1: saved-model signatures (both shown), tick-only labels."""
import pytest

import registry
from engine.app import compose, job_config
from engine.validate import validate_config

SMALL = ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.depth=3",
         "towers.catboost.boosting_type=Plain", "markets=[KRW-SOL]"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    registry.load_all()
    from engine.commands.train import train
    from engine.walkforward import WalkForwardParams
    tower, info = train(job_config(compose(SMALL)), WalkForwardParams(stride_bars=3))
    assert info["cal_rows"] > 0 and tower.calibrated
    path = tmp_path_factory.mktemp("m") / "catboost"
    tower.save(path)
    return path


def _after_span(model_dir) -> str:
    import json
    return f"feed.start={json.loads((model_dir / 'signature.json').read_text())['span_ms'][1] + 1}"


def test_matching_model_validates_on_data_after_its_span(model_dir):
    cfg = job_config(compose([*SMALL, _after_span(model_dir), f"towers.catboost.model_path={model_dir}"]))
    assert validate_config(cfg) == []


def test_backtest_over_the_models_own_span_is_refused(model_dir):
    problems = validate_config(job_config(compose([*SMALL, f"towers.catboost.model_path={model_dir}"])))
    assert [p for p, _ in problems] == ["towers.catboost.model_path"]
    assert "look-ahead" in problems[0][1]


def test_other_params_are_refused_with_both_signatures(model_dir):
    cfg = job_config(compose([*SMALL, "towers.catboost.depth=4", _after_span(model_dir),
                              f"towers.catboost.model_path={model_dir}"]))
    problems = validate_config(cfg)
    assert [p for p, _ in problems] == ["towers.catboost.model_path"]
    msg = problems[0][1]
    assert "params_hash" in msg and "config expects" in msg and "model has" in msg


def test_other_label_is_refused(model_dir):
    cfg = job_config(compose([*SMALL, "labels.barrier_hit.up_pct=0.6", _after_span(model_dir),
                              f"towers.catboost.model_path={model_dir}"]))
    problems = validate_config(cfg)
    assert problems and problems[0][0] == "towers.catboost.model_path" and "label" in problems[0][1]


def test_missing_model_folder_is_named(tmp_path):
    cfg = job_config(compose([*SMALL, f"towers.catboost.model_path={tmp_path / 'nope'}"]))
    problems = validate_config(cfg)
    assert problems and problems[0][0] == "towers.catboost.model_path" and "signature.json" in problems[0][1]


def test_tick_label_is_refused_on_a_candle_feed():
    cfg = job_config(compose(["labels=[direction]", "feed.kinds=[candle]"]))
    problems = validate_config(cfg)
    assert ("labels.direction" in [p for p, _ in problems])
    assert any("needs trade" in m for p, m in problems if p == "labels.direction")


def test_candle_label_is_fine_on_a_candle_feed():
    cfg = job_config(compose(["labels=[barrier_hit]", "feed.kinds=[candle]"]))
    assert [p for p in validate_config(cfg) if p[0].startswith("labels")] == []
