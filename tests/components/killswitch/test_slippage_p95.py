"""slippage_p95: a p95 above the limit blocks entries once enough fills are behind it."""
from components.types.metric_names import SLIPPAGE_FILLS, SLIPPAGE_P95_BPS


def test_trip_needs_enough_fills_and_a_high_p95(build, say, snap, metrics):
    sw = build("slippage_p95")
    assert sw.check(metrics({SLIPPAGE_P95_BPS: 80.0, SLIPPAGE_FILLS: 5}), snap(), 0) is None      # too few fills
    assert sw.check(metrics({SLIPPAGE_P95_BPS: 25.0, SLIPPAGE_FILLS: 40}), snap(), 0) is None     # under the limit
    trip = sw.check(metrics({SLIPPAGE_P95_BPS: 42.5, SLIPPAGE_FILLS: 40}), snap(), 0)
    assert trip.action == "block_entries" and "42.5 bps (limit 30.0 bps)" in say(trip)
