"""random_walk_regime: Hurst in [0.45, 0.58] blocks entries on that market only."""
import pytest

import registry
from components.types.metric_names import HURST, per_market


def test_per_market_band(build, say, snap, metrics):
    sw = build("random_walk_regime")
    m = metrics({per_market(HURST, "KRW-BTC"): 0.50, per_market(HURST, "KRW-ETH"): 0.62,
                 per_market(HURST, "KRW-XRP"): 0.44})
    trips = sw.check_all(m, snap(markets=("KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL")), 0)
    assert [t.market for t in trips] == ["KRW-BTC"] and trips[0].action == "block_entries"
    assert say(trips[0]) == "KRW-BTC: Hurst 0.500 inside the random-walk band [0.45, 0.58]: no entries"
    assert sw.check(metrics({per_market(HURST, "KRW-BTC"): 0.58}), snap(markets=("KRW-BTC",)), 0) is not None
    assert sw.check(metrics({per_market(HURST, "KRW-BTC"): 0.581}), snap(markets=("KRW-BTC",)), 0) is None


def test_inverted_band_refused(build):
    with pytest.raises(registry.ConfigError, match="hurst_low must be <= hurst_high"):
        build("random_walk_regime", hurst_low=0.6, hurst_high=0.5)
