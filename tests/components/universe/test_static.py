"""static universe: keeps configured markets that have data, sorted; validates codes."""
import pytest

import registry


def test_root_markets_filtered_by_available_data(bundled_data):
    from components.feed.layout import discover
    available = discover(bundled_data / "upbit").markets()
    u = registry.build("universe", {"component": "static"}, path="universe")
    got = u.select(available, root_markets=["KRW-XRP", "KRW-BTC", "KRW-NOPE"])
    assert got == ["KRW-BTC", "KRW-XRP"]


def test_explicit_list_wins_over_root():
    u = registry.build("universe", {"component": "static", "markets": ["KRW-ETH"]}, path="universe")
    assert u.select(["KRW-BTC", "KRW-ETH"], root_markets=["KRW-BTC"]) == ["KRW-ETH"]


def test_bad_code_names_path():
    with pytest.raises(registry.ConfigError) as e:
        registry.build("universe", {"component": "static", "markets": ["btc"]}, path="universe")
    assert "universe.markets" in str(e.value)
