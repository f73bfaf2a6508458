"""Order manager passive quotes on the simulated exchange (real 2021 Upbit books): one working post-only quote
per market, replace through the exchange's cancel_and_new, side change = cancel + place, counts, fills."""
import pytest

from components.types.quoting import QuoteAction
from engine.order_manager import OrderManager, OrderSettings

M = "KRW-DAWN"


@pytest.fixture()
def setup(dawn_sim):
    ex, book, events = dawn_sim({"KRW": 1_000_000, "DAWN": 10_000})
    return ex, book, events


def _bid(book, ticks_below=0, krw=20_000):
    px = float(book.bid_px[ticks_below])
    return QuoteAction("place", "bid", px, round(krw / px, 4))


def test_place_sends_post_only_and_exposes_the_working_quote(setup):
    ex, book, _ = setup
    om = OrderManager(ex, OrderSettings(), prefix="t")
    assert om.working_quote(M) is None
    act = _bid(book)
    mo, why = om.place_quote(M, act, book.ts_ms)
    assert mo is not None, why
    assert mo.order.time_in_force == "post_only" and mo.order.state == "wait" and mo.purpose == "quote"
    w = om.working_quote(M)
    assert (w.side, w.price, w.volume, w.identifier) == ("bid", act.price, act.volume, mo.intent.identifier)
    # at the opposite touch a post-only order would take: the exchange cancels it instead of filling it
    om2 = OrderManager(ex, OrderSettings(), prefix="u")
    taker, _ = om2.place_quote(M, QuoteAction("place", "bid", float(book.ask_px[0]), 10.0), book.ts_ms)
    assert taker.state == "cancel" and om2.working_quote(M) is None and not ex.drain_fills()


def test_replace_uses_the_exchange_cancel_and_new_and_keeps_one_quote(setup):
    ex, book, _ = setup
    calls = []
    real = ex.cancel_and_new

    def spy(**kw):
        calls.append(kw)
        return real(**kw)
    ex.cancel_and_new = spy
    om = OrderManager(ex, OrderSettings(), prefix="t")
    first, _ = om.place_quote(M, _bid(book, 1), book.ts_ms)
    lower = _bid(book, 2)
    moved, why = om.replace_quote(M, QuoteAction("replace", "bid", lower.price, lower.volume), book.ts_ms)
    assert moved is not None, why
    assert len(calls) == 1 and calls[0]["prev_uuid"] == first.uuid and calls[0]["new_time_in_force"] == "post_only"
    assert first.state == "cancel" and moved.state == "wait" and om.working_quote(M).price == lower.price
    assert [o.uuid for o in ex.open_orders(M)] == [moved.uuid]
    closed = om.poll(book.ts_ms)
    assert closed == [first] and om.quotes[M] is moved
    assert om.quote_counts["new"] == 1 and om.quote_counts["replace"] == 1


def test_side_change_is_cancel_plus_place_and_cancel_quote_pulls_it(setup):
    ex, book, _ = setup
    om = OrderManager(ex, OrderSettings(), prefix="t")
    bid, _ = om.place_quote(M, _bid(book, 1), book.ts_ms)
    ask_px = float(book.ask_px[1])
    ask, why = om.replace_quote(M, QuoteAction("replace", "ask", ask_px, 20.0), book.ts_ms)
    assert ask is not None, why
    assert bid.state == "cancel" and om.working_quote(M).side == "ask"
    assert om.quote_counts == {"new": 2, "replace": 0, "cancel": 1, "filled": 0, "rejected": 0}
    assert om.cancel_quote(M, book.ts_ms) and ask.state == "cancel" and om.working_quote(M) is None
    assert not om.cancel_quote(M, book.ts_ms)            # nothing left to pull


def test_replace_after_the_quote_filled_places_a_fresh_one(setup):
    ex, book, events = setup
    om = OrderManager(ex, OrderSettings(), prefix="t")
    mo, _ = om.place_quote(M, _bid(book, 0, krw=6_000), book.ts_ms)
    done_at = None
    for ev in events:
        if ev.ts_ms <= book.ts_ms:
            continue
        ex.on_event(ev)
        om.poll(ev.ts_ms)
        if mo.state == "done":
            done_at = ev.ts_ms
            break
    assert done_at is not None, "the touch bid never filled in the capture"
    assert om.working_quote(M) is None and om.quote_counts["filled"] == 1
    act = _bid(book, 1)
    again, why = om.replace_quote(M, QuoteAction("replace", "bid", act.price, act.volume), done_at)
    assert again is not None, why
    assert om.quote_counts["new"] == 2 and om.quote_counts["replace"] == 0
