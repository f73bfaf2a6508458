"""store_errors: more than 3 pauses 15 minutes."""
from components.types.metric_names import STORE_ERRORS


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("store_errors")
    assert sw.check(metrics({STORE_ERRORS: 3}), snap(), 0) is None
    trip = sw.check(metrics({STORE_ERRORS: 4}), snap(), 0)
    assert trip.action == "pause" and trip.seconds == 900 and say(trip) == "4 store errors (limit 3): paused"
