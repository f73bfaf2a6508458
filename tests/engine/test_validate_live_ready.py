"""paper/live refuse an inert or unsafe bot before it starts: exact lines on stderr, exit 2 (checks/live_ready.py)."""
import pytest

from engine.app import compose, job_config
from engine.checks.features import feature_feed_needs
from engine.checks.live_ready import killswitch_bounds, live_components, live_feed_needs, trained_towers
from engine.cli import main
from engine.i18n import set_lang

CANDLE_NOTE = ("(this live feed builds no candles: it builds bars from trades with trade in feed.types and "
               "feed.bars_s=[60])")
UNTRAINED = ("towers.catboost  tower 'catboost' needs training and towers.catboost.model_path is not set — in "
             "mode={mode} it would never signal: run `scalp train` with the same overrides and pass the "
             "towers.catboost.model_path=... it prints")


@pytest.fixture(autouse=True)
def english():
    set_lang("en")
    yield
    set_lang("en")


def cfg(*overrides):
    return job_config(compose([*overrides, "ui.lang=en"]))


def validate(capsys, monkeypatch, *argv):
    monkeypatch.delenv("UPBIT_ACCESS_KEY", raising=False)
    monkeypatch.delenv("UPBIT_SECRET_KEY", raising=False)
    rc = main(["validate", *argv, "ui.lang=en"])
    return rc, capsys.readouterr().err.splitlines()


def test_default_preset_live_names_the_untrained_tower_and_the_train_command(capsys, monkeypatch):
    rc, lines = validate(capsys, monkeypatch, "mode=live")
    assert rc == 2
    assert UNTRAINED.format(mode="live") in lines
    assert "feed  paper/live need a live feed (feed=upbit_ws); got 'replay'" in lines
    assert "exchange  live trading needs a real exchange client (exchange=upbit); got 'sim'" in lines


def test_candle_features_on_the_live_feed_pass_when_it_builds_bars(capsys, monkeypatch):
    rc, lines = validate(capsys, monkeypatch, "mode=paper", "feed=upbit_ws")
    assert rc == 2 and UNTRAINED.format(mode="paper") in lines            # the untrained tower only
    assert not any(line.startswith("features.") for line in lines)
    assert live_feed_needs(cfg("mode=live", "feed=upbit_ws", "exchange=upbit")) == []


def test_candle_features_on_a_feed_that_builds_no_bars_are_named_with_the_feed(capsys, monkeypatch):
    rc, lines = validate(capsys, monkeypatch, "mode=paper", "feed=upbit_ws", "feed.bars_s=[]")
    assert rc == 2
    assert ("features.rsi_14  feature 'rsi_14' needs candle events but feed=upbit_ws provides only book+trade "
            f"{CANDLE_NOTE} — build its bars from trades with +features.rsi_14.bars_from=trade") in lines
    assert UNTRAINED.format(mode="paper") in lines
    assert not any(line.startswith("features.time_regime") for line in lines)   # needs no kind at all


def test_live_with_a_candle_only_feature_set_on_a_feed_without_bars_names_both(capsys, monkeypatch):
    rc, lines = validate(capsys, monkeypatch, "mode=live", "exchange=upbit", "feed=upbit_ws", "features=core_bar",
                         "feed.bars_s=[]")
    assert rc == 2
    named = [line for line in lines if line.startswith("features.")]
    assert len(named) == 16                # core_bar less time_regime, which needs no events
    assert all("needs candle events but feed=upbit_ws provides only book+trade" in line for line in named)


def test_book_features_on_a_trades_only_feed_name_the_missing_kind():
    problems = live_feed_needs(cfg("mode=paper", "feed=upbit_ws", "feed.types=[trade]", "features=[spread_pct]"))
    assert problems == [("features.spread_pct",
                         "feature 'spread_pct' needs book events but feed=upbit_ws provides only candle+trade")]


def test_a_feed_without_trades_cannot_build_bars_and_gets_no_bars_from_hint():
    problems = live_feed_needs(cfg("mode=paper", "feed=upbit_ws", "feed.types=[orderbook]"))
    assert ("features.hurst", "feature 'hurst' needs candle events but feed=upbit_ws provides only book "
            f"{CANDLE_NOTE}") in problems


def test_bars_from_trade_and_book_features_pass_on_the_live_feed():
    c = cfg("mode=paper", "feed=upbit_ws", "features=[spread_pct,rsi_14]", "+features.rsi_14.bars_from=trade")
    assert live_feed_needs(c) == []


def test_backtest_and_record_are_not_held_to_paper_live_rules():
    c = cfg("mode=backtest", "feed=upbit_ws", "killswitches.daily_loss.loss_pct=90")
    # `scalp record feed=upbit_ws` composes the default candle features: it must still validate
    assert feature_feed_needs(c) == [] and live_feed_needs(c) == []
    assert trained_towers(c) == [] and killswitch_bounds(c) == [] and live_components(c) == []


def test_trained_towers_pass(tmp_path):
    c = cfg("mode=paper", f"towers.catboost.model_path={tmp_path}", "towers=[catboost]")
    assert trained_towers(c) == []


@pytest.mark.parametrize("override,path,value,most", [
    ("killswitches.daily_loss.loss_pct=90", "killswitches.daily_loss.loss_pct", 90, 20),
    ("killswitches.max_drawdown.drawdown_pct=50", "killswitches.max_drawdown.drawdown_pct", 50, 30),
])
def test_kill_switch_thresholds_outside_live_bounds(capsys, monkeypatch, override, path, value, most):
    rc, lines = validate(capsys, monkeypatch, "mode=paper", override)
    assert rc == 2
    assert f"{path}  {value} is too loose for mode=paper (at most {most})" in lines
    assert killswitch_bounds(cfg("mode=paper")) == []        # the shipped thresholds are within bounds


def test_live_exchange_and_feed_pass_when_real():
    assert live_components(cfg("mode=live", "feed=upbit_ws", "exchange=upbit")) == []
    assert live_components(cfg("mode=paper", "feed=upbit_ws")) == []      # paper fills in the simulator
