"""zombie_orders: more than 5 cancels all orders."""
from components.types.metric_names import ZOMBIE_ORDERS


def test_trip_and_no_trip(build, say, snap, metrics):
    sw = build("zombie_orders")
    assert sw.check(metrics({ZOMBIE_ORDERS: 5}), snap(), 0) is None
    trip = sw.check(metrics({ZOMBIE_ORDERS: 6}), snap(), 0)
    assert trip.action == "cancel_all" and say(trip) == "6 zombie orders (limit 5): cancelling all orders"
