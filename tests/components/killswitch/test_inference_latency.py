"""inference_latency: > 10 ms degrades (size x0.5)."""
from components.types.metric_names import INFERENCE_LATENCY_MS


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("inference_latency")
    assert sw.check(metrics({INFERENCE_LATENCY_MS: 10.0}), snap(), 0) is None
    trip = sw.check(metrics({INFERENCE_LATENCY_MS: 12.5}), snap(), 0)
    assert trip.action == "scale_size" and trip.factor == 0.5
    assert say(trip) == "inference latency 12.5 ms > 10.0 ms: degraded"
