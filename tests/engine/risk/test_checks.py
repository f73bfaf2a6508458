"""Risk link checks: non-backtest modes need a hard_stop exit; Kelly needs a cap for the market class."""
from pathlib import Path

from hydra import compose, initialize_config_dir

from engine.checks.risk import kelly_class_cap, stop_exit_required

CONF = str(Path(__file__).resolve().parents[3] / "conf")


def cfg(*overrides):
    with initialize_config_dir(config_dir=CONF, version_base="1.3"):
        return compose("config", overrides=list(overrides))


def test_paper_without_hard_stop_is_refused():
    assert stop_exit_required(cfg("mode=paper", "exits=[profit_target,fee_floor]")) == [
        ("exits", "paper mode needs a hard_stop exit (e.g. exits=[hard_stop,profit_target])")]
    assert stop_exit_required(cfg("mode=paper", "exits=[hard_stop,fee_floor]")) == []
    assert stop_exit_required(cfg("mode=backtest", "exits=[profit_target]")) == []


def test_kelly_cap_must_cover_market_class():
    bad = cfg("sizing=adaptive_kelly", "market_class=alts")
    bad.sizing.class_cap_pct = {"majors": 12.0}
    assert kelly_class_cap(bad) == [("sizing.class_cap_pct", "no cap for market_class 'alts'")]
    assert kelly_class_cap(cfg("sizing=adaptive_kelly", "market_class=emerging")) == []
