"""sim_real_gap: > 10 % halts."""
from components.types.metric_names import SIM_REAL_GAP_PCT


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("sim_real_gap")
    assert sw.check(metrics({SIM_REAL_GAP_PCT: 10.0}), snap(), 0) is None
    trip = sw.check(metrics({SIM_REAL_GAP_PCT: 12.0}), snap(), 0)
    assert trip.action == "halt" and "12.0% (limit 10.0%)" in say(trip)
