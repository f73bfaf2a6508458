"""position_concentration: one market above 30 % of equity blocks entries."""


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("position_concentration")
    assert sw.check(metrics(), snap(equity_krw=1e6, positions_krw={"KRW-BTC": 300_000}), 0) is None
    trip = sw.check(metrics(), snap(equity_krw=1e6, positions_krw={"KRW-BTC": 100, "KRW-ETH": 310_000}), 0)
    assert trip.action == "block_entries"
    assert say(trip) == "KRW-ETH position is 31.0% of equity (limit 30.0%)"
    assert sw.check(metrics(), snap(equity_krw=1e6), 0) is None
