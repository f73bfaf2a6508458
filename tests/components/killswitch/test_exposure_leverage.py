"""exposure_leverage: (positions + locked buys) / equity above 1.5 blocks entries."""


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("exposure_leverage")
    ok = snap(equity_krw=1e6, positions_krw={"KRW-BTC": 1e6}, open_orders_krw=5e5)
    assert sw.check(metrics(), ok, 0) is None
    bad = snap(equity_krw=1e6, positions_krw={"KRW-BTC": 1e6}, open_orders_krw=6e5)
    trip = sw.check(metrics(), bad, 0)
    assert trip.action == "block_entries" and say(trip) == "gross exposure / equity 1.60 > 1.5"
