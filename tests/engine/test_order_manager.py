"""Order manager against the simulated exchange fed with real 2021 Upbit books: grid, minimum, TTL, identifiers."""
import math

import pytest

from components.types.orders import OrderIntent
from engine.order_manager import OrderManager, OrderSettings

M = "KRW-DAWN"


@pytest.fixture()
def setup(dawn_sim):
    ex, book, events = dawn_sim({"KRW": 1_000_000})
    return ex, book, events


def test_limit_prices_snap_away_from_the_market_and_go_as_decimal_strings(setup):
    ex, book, _ = setup
    sent = {}
    real = ex.create_order

    def spy(*a, **kw):
        sent.update(kw)
        return real(*a, **kw)
    ex.create_order = spy
    om = OrderManager(ex, OrderSettings(), prefix="t")
    bid = float(book.bid_px[0])
    tick = ex.tick_size(M, bid)
    mo, why = om.submit(OrderIntent(M, "bid", "limit", volume=20000 / bid, price=bid - 0.4 * tick), book.ts_ms, "entry")
    assert why == "" and mo.state == "wait"
    assert isinstance(sent["price"], str) and isinstance(sent["volume"], str)
    assert float(sent["price"]) == pytest.approx(bid - tick)          # bid snapped DOWN, never more aggressive
    assert len(sent["volume"].split(".")[-1]) <= 8
    ask = float(book.ask_px[0])
    mo2, why2 = om.submit(OrderIntent(M, "ask", "limit", volume=1.0, price=ask + 0.4 * tick), book.ts_ms, "exit")
    assert mo2 is None and "insufficient_funds_ask" in why2           # exchange refusal kept with its Upbit name
    assert om.open and mo.intent.identifier != om.next_identifier()


def test_minimum_total_refused_before_the_exchange(setup):
    ex, book, _ = setup
    om = OrderManager(ex)
    mo, why = om.submit(OrderIntent(M, "bid", "price", price=4999.0), book.ts_ms, "entry")
    assert mo is None and why.startswith("order.under_min_total")
    assert ex.open_orders() == [] and ex.closed_orders() == []


def test_ttl_cancels_resting_orders_and_returns_them_once(setup):
    ex, book, events = setup
    om = OrderManager(ex, OrderSettings(ttl_ms=5_000))
    low = float(book.bid_px[-1])                           # deepest bid: will not fill in a few seconds
    mo, _ = om.submit(OrderIntent(M, "bid", "limit", volume=math.ceil(6000 / low), price=low), book.ts_ms, "entry")
    closed = []
    for ev in events:
        if ev.ts_ms <= book.ts_ms:
            continue
        ex.on_event(ev)
        closed += om.poll(ev.ts_ms)
        if ev.ts_ms > book.ts_ms + 10_000:
            break
    assert closed == [mo] and mo.state == "cancel" and mo.cancel_sent
    assert om.open == {}
    assert ex.balance("KRW") == (pytest.approx(1_000_000), pytest.approx(0.0))   # lock released


def test_identifiers_unique_and_reuse_refused(setup):
    ex, book, _ = setup
    om = OrderManager(ex, prefix="run7")
    ids = {om.next_identifier() for _ in range(1000)}
    assert len(ids) == 1000 and all(i.startswith("run7-") for i in ids)
    mo, _ = om.submit(OrderIntent(M, "bid", "price", price=10_000.0, identifier="dup-1"), book.ts_ms, "entry")
    assert mo is not None
    again, why = om.submit(OrderIntent(M, "bid", "price", price=10_000.0, identifier="dup-1"), book.ts_ms, "entry")
    assert again is None and "duplicated_identifier" in why


class _TimesOut:
    """The real sim behind a connection that drops the reply of the first create_order (the order was placed)."""

    def __init__(self, ex, place: bool):
        self.ex, self.place, self.calls = ex, place, 0

    def __getattr__(self, name):
        return getattr(self.ex, name)

    def create_order(self, *a, **kw):
        self.calls += 1
        if self.place:
            self.ex.create_order(*a, **kw)
        raise TimeoutError("read timeout")


@pytest.mark.parametrize("placed", [True, False])
def test_timeout_is_unknown_and_resolved_by_identifier_instead_of_resending(setup, placed):
    """A create that timed out is `unknown` (the market blocked), then settled by identifier lookups with
    backoff: found -> tracked; still not found after a few lookups -> rejected. Never sent twice."""
    ex, book, _ = setup
    flaky = _TimesOut(ex, placed)
    om = OrderManager(flaky, OrderSettings(resolve_backoff_ms=100, resolve_backoff_max_ms=400))
    mo, why = om.submit(OrderIntent(M, "bid", "price", price=10_000.0), book.ts_ms, "entry")
    assert flaky.calls == 1 and why == ""                    # never sent twice
    assert mo.unknown and mo.state == "unknown" and om.unresolved() == [mo]
    assert om.blocked(M) and not om.blocked("KRW-BTC")
    ts, resolved, lookups = book.ts_ms, [], []
    while not resolved and ts < book.ts_ms + 10_000:
        resolved = om.resolve(ts)
        lookups.append(mo.lookups)
        ts += 50
    assert resolved == [mo] and not om.unresolved() and not om.blocked(M) and flaky.calls == 1
    if placed:
        assert mo.state in ("wait", "done", "cancel") and mo.order.identifier == mo.intent.identifier
        assert mo.intent.identifier in om.open
    else:
        assert mo.state == "rejected" and mo.lookups == 3 and mo.intent.identifier not in om.open
        assert lookups.count(1) >= 2 and lookups.count(2) >= 4  # backoff: 100 ms, then 200 ms between lookups
        assert "not_found" in om.rejected[-1][1]
    assert len(ex.closed_orders()) + len(ex.open_orders()) == (1 if placed else 0)
