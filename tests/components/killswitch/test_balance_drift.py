"""balance_drift: exchange vs ledger > 1 % halts."""
from components.types.metric_names import BALANCE_DRIFT_PCT


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("balance_drift")
    assert sw.check(metrics({BALANCE_DRIFT_PCT: 1.0}), snap(), 0) is None
    trip = sw.check(metrics({BALANCE_DRIFT_PCT: 1.5}), snap(), 0)
    assert trip.action == "halt" and "1.50% (limit 1.00%)" in say(trip)
