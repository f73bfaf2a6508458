"""api_error_rate: >= 5 % of >= 20 calls pauses 30 minutes; metric injected (published by the UPBIT client)."""
from components.types.metric_names import API_CALLS, API_ERROR_RATE


def test_trip_no_trip_and_min_sample(build, say, snap, metrics):
    sw = build("api_error_rate")
    assert sw.check(metrics({API_ERROR_RATE: 0.049, API_CALLS: 100}), snap(), 0) is None
    assert sw.check(metrics({API_ERROR_RATE: 0.5, API_CALLS: 4}), snap(), 0) is None      # too few calls
    assert sw.check(metrics(), snap(), 0) is None                                           # not published
    trip = sw.check(metrics({API_ERROR_RATE: 0.05, API_CALLS: 100}), snap(), 0)
    assert trip.action == "pause" and trip.seconds == 1800
    assert say(trip) == "API error rate 5.0% (limit 5.0%): paused"
