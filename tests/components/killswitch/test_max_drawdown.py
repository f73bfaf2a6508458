"""max_drawdown: 20 % below the peak halts (latched)."""


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("max_drawdown")
    assert sw.check(metrics(), snap(equity_krw=800_001, peak_equity_krw=1e6), 0) is None
    trip = sw.check(metrics(), snap(equity_krw=800_000, peak_equity_krw=1e6), 0)
    assert trip.action == "halt" and trip.seconds == 0
    assert "drawdown from peak 20.00% (limit 20.00%)" in say(trip)


def test_threshold_from_config(build, snap, metrics):
    sw = build("max_drawdown", drawdown_pct=10)
    assert sw.check(metrics(), snap(equity_krw=899_000, peak_equity_krw=1e6), 0) is not None
