"""upbit_ws feed: what it delivers (for the paper/live checks) and its silence threshold."""
import pytest

import registry


def build(**params):
    registry.load_all()
    return registry.build("feed", {"component": "upbit_ws", **params}, path="feed")


@pytest.mark.parametrize("types,bars_s,kinds", [
    (["trade", "orderbook"], [60], {"candle", "trade", "book"}),
    (["trade", "orderbook"], [], {"trade", "book"}),
    (["orderbook", "ticker"], [60], {"book"}),            # no trades: no bars to build
    (["trade"], [1], {"candle", "trade"}),
])
def test_provides_trades_and_books_as_subscribed_and_candles_built_from_trades(types, bars_s, kinds):
    assert build(types=types, bars_s=bars_s).provides(["KRW-BTC"]) == kinds


def test_one_bar_interval_per_session():
    with pytest.raises(registry.ConfigError) as e:
        build(bars_s=[1, 60])
    assert e.value.problems[0][0] == "feed.bars_s" and "one bar interval" in e.value.problems[0][1]


def test_stale_after_s_defaults_to_a_minute_and_must_be_positive():
    assert build().p.stale_after_s == 60.0
    with pytest.raises(registry.ConfigError) as e:
        build(stale_after_s=0)
    assert e.value.problems[0][0] == "feed.stale_after_s"
