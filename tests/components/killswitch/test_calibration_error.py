"""calibration_error: live ECE > 0.15 over >= 200 outcomes blocks entries and asks for a retrain."""
from components.types.metric_names import CALIBRATION_ECE, CALIBRATION_SAMPLES


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("calibration_error")
    assert sw.check(metrics({CALIBRATION_ECE: 0.15, CALIBRATION_SAMPLES: 500}), snap(), 0) is None
    assert sw.check(metrics({CALIBRATION_ECE: 0.3, CALIBRATION_SAMPLES: 50}), snap(), 0) is None
    trip = sw.check(metrics({CALIBRATION_ECE: 0.2, CALIBRATION_SAMPLES: 500}), snap(), 0)
    assert trip.action == "block_entries"
    assert "retrain" in say(trip) and "0.200 > 0.15" in say(trip)
