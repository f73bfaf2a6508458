"""SimExchange.cancel_and_new: Upbit's one-request replace as cancel + new (same market/side, remain_only, latency)."""
import pytest

from components.types.upbit.errors import UpbitError
from components.fill_model.queue_conservative import QueueConservative

M = "KRW-ADA"


def test_replace_cancels_the_old_order_and_rests_the_new_one_post_only(make_ex, upbit_book):
    ex = make_ex(krw=1_000_000)
    ex.on_book(upbit_book)
    old = ex.create_order(M, "bid", "limit", volume=10, price=1580, time_in_force="post_only", identifier="q-1")
    prev, new = ex.cancel_and_new(prev_identifier="q-1", new_ord_type="limit", new_volume="remain_only",
                                  new_price=1585, new_identifier="q-2", new_time_in_force="post_only")
    assert prev is old and old.state == "cancel"
    assert new.state == "wait" and new.side == "bid" and new.price == 1585 and new.volume == 10
    assert new.time_in_force == "post_only" and new.queue_ahead == pytest.approx(upbit_book.bid_sz[0])
    # only the new order's funds stay locked
    assert ex.balance("KRW")[1] == pytest.approx(10 * 1585 * 1.0005)


def test_replace_into_the_opposite_touch_is_cancelled_not_filled(make_ex, upbit_book):
    ex = make_ex(krw=1_000_000)
    ex.on_book(upbit_book)
    old = ex.create_order(M, "bid", "limit", volume=10, price=1580, time_in_force="post_only")
    _, new = ex.cancel_and_new(prev_uuid=old.uuid, new_volume=10, new_price=1590, new_time_in_force="post_only")
    assert old.state == "cancel" and new.state == "cancel" and not ex.drain_fills()
    assert ex.balance("KRW") == (1_000_000, 0.0)


def test_replace_of_a_closed_order_is_refused_and_creates_nothing(make_ex, upbit_book):
    ex = make_ex(krw=1_000_000)
    ex.on_book(upbit_book)
    old = ex.create_order(M, "bid", "limit", volume=10, price=1580)
    ex.cancel_order(old.uuid)
    with pytest.raises(UpbitError):
        ex.cancel_and_new(prev_uuid=old.uuid, new_volume=10, new_price=1575, new_identifier="never")
    assert ex.open_orders() == [] and "never" not in {o.identifier for o in ex.closed_orders()}


def test_with_latency_both_legs_travel_with_the_order_latency(make_ex, upbit_book):
    ex = make_ex(krw=1_000_000, fill_model=QueueConservative(QueueConservative.Params(order_latency_ms=50)))
    ex.on_book(upbit_book)
    t0 = upbit_book.ts_ms
    old = ex.create_order(M, "bid", "limit", volume=10, price=1580, ts_ms=t0)
    ex.advance(t0 + 100)
    assert old.state == "wait"
    _, new = ex.cancel_and_new(prev_uuid=old.uuid, new_volume=10, new_price=1575, ts_ms=t0 + 100)
    assert old.state == "wait" and not new.arrived          # both still in flight
    ex.advance(t0 + 200)
    assert old.state == "cancel" and new.state == "wait" and new.arrived
