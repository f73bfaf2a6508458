"""upbit_ws feed: what it delivers (for the paper/live checks) and its silence threshold."""
import pytest

import registry


def build(**params):
    registry.load_all()
    return registry.build("feed", {"component": "upbit_ws", **params}, path="feed")


@pytest.mark.parametrize("types,kinds", [
    (["trade", "orderbook"], {"trade", "book"}),
    (["orderbook", "ticker"], {"book"}),
    (["trade"], {"trade"}),
])
def test_provides_trades_and_books_as_subscribed_never_candles(types, kinds):
    assert build(types=types).provides(["KRW-BTC"]) == kinds


def test_stale_after_s_defaults_to_a_minute_and_must_be_positive():
    assert build().p.stale_after_s == 60.0
    with pytest.raises(registry.ConfigError) as e:
        build(stale_after_s=0)
    assert e.value.problems[0][0] == "feed.stale_after_s"
