"""Live quoting: the order manager's replace is ONE Upbit cancel_and_new request (local server), not cancel + create."""
import time

from engine.live.bridge import AsyncBridge
from engine.live.exchange import LiveExchange
from tests.engine.live.test_order_safety import FlakyTransport, resting_bid


def test_replace_quote_is_one_cancel_and_new_and_moves_the_resting_order(server, rest_for, orders_on):
    from components.types.quoting import QuoteAction
    from engine.order_manager import OrderManager
    tr = FlakyTransport("none")            # only records requests (mode "none" never misbehaves on /v1/orders)
    tr.armed = False
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest_for("quote", transport=tr), bridge)
        om = OrderManager(ex, prefix="scalp-q")
        b = resting_bid(server)
        first, why = om.place_quote(b["market"], QuoteAction("place", "bid", b["price"], b["volume"]), 0)
        assert first is not None, why
        w = om.working_quote(b["market"])
        assert w is not None and w.side == "bid" and w.price == b["price"]
        lower = b["price"] * 0.9
        moved, why = om.replace_quote(b["market"], QuoteAction("replace", "bid", lower, b["volume"]), 1)
        assert moved is not None, why
        posted = [(m, p) for m, p, _ in tr.log if m == "POST"]
        assert posted == [("POST", "/v1/orders"), ("POST", "/v1/orders/cancel_and_new")]
        deadline = time.monotonic() + 5
        while True:
            ex.refresh()
            opened = orders_on("live-quote-access")[0]
            if len(opened) == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [o.identifier for o in opened] == [moved.intent.identifier]
        assert opened[0].time_in_force == "post_only" and opened[0].price == moved.intent.price < b["price"]
        assert first.state == "cancel" and om.working_quote(b["market"]).identifier == moved.intent.identifier
        assert om.cancel_quote(b["market"], 2) and om.working_quote(b["market"]) is None
        ex.close()
