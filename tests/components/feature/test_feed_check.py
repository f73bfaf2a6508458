"""engine/checks/features.py: a feature needing events the feed cannot provide fails validation, naming both."""
from engine.app import compose, job_config
from engine.checks.features import feature_feed_needs
from engine.validate import validate_config


def _problems(shared_data, *overrides):
    return feature_feed_needs(job_config(compose(list(overrides))))


def test_tick_features_on_a_candle_only_feed_are_refused(shared_data):
    probs = _problems(shared_data, "features=core20", f"feed.path={shared_data}/upbit/candles_1m",
                      "markets=[KRW-BTC]")
    paths = dict(probs)
    assert "features.spread_pct" in paths and "features.cancel_rate" in paths
    assert paths["features.spread_pct"] == (
        "feature 'spread_pct' (spread_pct) needs book events but feed 'replay' provides only candle for KRW-BTC "
        "(on candle-only feeds use core_bar or bar estimators like *_bvc / cs_spread)")
    assert "features.time_regime" not in paths       # timestamps only


def test_default_candle_set_passes_on_candles(shared_data):
    assert _problems(shared_data, "features=core_bar", f"feed.path={shared_data}/upbit/candles_1m") == []


def test_tick_sets_pass_on_a_tick_directory(shared_data):
    assert _problems(shared_data, "features=[core20,micro]", f"feed.path={shared_data}/binance_spot",
                     "markets=[BTCUSDT]") == []


def test_candle_features_on_a_tick_only_feed_are_refused(shared_data):
    probs = dict(_problems(shared_data, "features=micro_bar", f"feed.path={shared_data}/binance_spot",
                           "markets=[BTCUSDT]"))
    assert set(probs) == {"features.vpin_bvc", "features.kyle_lambda_bvc", "features.roll_spread",
                          "features.cs_spread", "features.hurst"}
    assert "needs candle events but feed 'replay' provides only book+trade for BTCUSDT" in probs["features.hurst"]


def test_feed_kinds_restriction_is_respected(shared_data):
    probs = dict(_problems(shared_data, "features=[micro]", f"feed.path={shared_data}/binance_spot",
                           "markets=[BTCUSDT]", "feed.kinds=[trade]"))
    assert set(probs) == {"features.ofi"}


def test_the_validator_runs_the_check(shared_data):
    cfg = job_config(compose(["features=core20", f"feed.path={shared_data}/upbit/candles_1m"]))
    assert any(p == "features.rsi_14" for p, _ in validate_config(cfg))
