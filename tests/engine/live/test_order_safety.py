"""Order lifecycle safety against the local server: lost create answers, startup sweep, watchdog, cancel-all."""
import asyncio
import math

import httpx
import pytest

from engine.live.bridge import AsyncBridge
from engine.live.exchange import LiveExchange
from engine.live.settings import LiveSettings
from tests.engine.live.conftest import ACCOUNTS


class FlakyTransport(httpx.AsyncBaseTransport):
    """Forwards to the server; the FIRST POST /v1/orders misbehaves: `lose_response` (reaches the server, the
    answer is lost), `drop_request` (never reaches it), `hang` (reaches it, the answer never comes)."""

    def __init__(self, mode: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.mode, self.armed, self.log = mode, True, []

    async def handle_async_request(self, request):
        self.log.append((request.method, request.url.path, request.url.query.decode()))
        if request.method == "POST" and request.url.path == "/v1/orders" and self.armed:
            self.armed = False
            if self.mode == "drop_request":
                raise httpx.ConnectTimeout("lost before reaching the exchange", request=request)
            resp = await self.inner.handle_async_request(request)
            await resp.aread()
            if self.mode == "lose_response":
                raise httpx.ReadTimeout("answer lost", request=request)
            await asyncio.sleep(30)
            return resp
        return await self.inner.handle_async_request(request)

    async def aclose(self):
        await self.inner.aclose()


def resting_bid(server, market="KRW-DAWN"):
    """A limit bid 20% under the last trade, on the tick grid, worth >= 6,000 KRW: it rests, never fills."""
    from components.types.tick import snap, table_tick
    last = server.call(lambda: server.state.market.stats[market].last)
    px = snap(last * 0.8, table_tick(last * 0.8), "down")
    return {"market": market, "side": "bid", "ord_type": "limit", "price": px, "volume": math.ceil(6000 / px)}


def wait_final(ex, order, timeout_s=5.0):
    import time
    deadline = time.monotonic() + timeout_s
    while ex.get_order(uuid=order.uuid).state not in ("done", "cancel"):
        assert time.monotonic() < deadline, "order never finished"
        time.sleep(0.05)
    assert order.executed_volume > 0
    ex.drain_fills()            # placed behind the engine's back: nobody books these fills


def posts(tr):
    return [x for x in tr.log if x[0] == "POST" and x[1] == "/v1/orders"]


@pytest.mark.parametrize("mode", ["lose_response", "hang"])
def test_create_with_lost_answer_is_looked_up_by_identifier_not_resent(server, rest_for, orders_on, mode):
    tr = FlakyTransport(mode)
    # 5 s, not 1-2 s: `lose_response` must settle inside the client (its own lookup by identifier, a local
    # request that a loaded machine can hold up past 1 s) or the bridge counts a lookup of its own
    rest = rest_for(f"lost-{mode}", transport=tr, timeout_ms=5000)
    ident = f"scalp-lost-{mode}"
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest, bridge, timeout_s=5.0)        # `hang` (30 s): the bridge gives up first, looks up
        o = ex.create_order(**resting_bid(server), identifier=ident)
        assert len(posts(tr)) == 1                             # sent once, never again
        i_post = tr.log.index(posts(tr)[0])
        lookups = [x for x in tr.log[i_post + 1:] if x[0] == "GET" and x[1] == "/v1/order" and ident in x[2]]
        assert lookups                                         # outcome learned by identifier
        on_server = [x for x in orders_on(ACCOUNTS[f"lost-{mode}"][0])[0] if x.identifier == ident]
        assert len(on_server) == 1 and on_server[0].uuid == o.uuid and o.state == "wait"
        assert ex.lookups_after_timeout == (1 if mode == "hang" else 0)
        ex.cancel_order(uuid=o.uuid)
        ex.close()


def test_create_that_never_arrived_is_reported_not_resent(server, rest_for, orders_on):
    """Unknown until the identifier is still not found `not_found_after_s` after the request ended: only then
    refused as never placed (a synchronous caller waits for that verdict)."""
    from components.types.upbit.errors import OrderNotFound
    tr = FlakyTransport("drop_request")
    rest = rest_for("lost-dropped", transport=tr, timeout_ms=1000)
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest, bridge, timeout_s=3.0, not_found_after_s=0.5)
        with pytest.raises(OrderNotFound, match="never placed"):
            ex.create_order(**resting_bid(server), identifier="scalp-lost-dropped")
        ex.close()
    assert len(posts(tr)) == 1
    open_now, closed = orders_on(ACCOUNTS["lost-dropped"][0])
    assert not [o for o in open_now + closed if o.identifier == "scalp-lost-dropped"]


def test_startup_sweep_cancels_our_leftover_and_spares_foreign_orders(make_cfg, keys, rest_for, orders_on, server):
    from engine.live.runner import run_session
    access, _ = keys("sweep")
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest_for("sweep"), bridge)
        leftover = ex.create_order(**resting_bid(server), identifier="scalp-99-oldsession-0000001")
        foreign = ex.create_order(**resting_bid(server), identifier="by-hand-1")
        ex.close()
    assert {o.uuid for o in orders_on(access)[0]} == {leftover.uuid, foreign.uuid}
    cfg = make_cfg("live", "towers.random_entry.entry_rate=0")      # no new orders: only the sweep acts
    res = run_session(cfg, "live", store=None, duration_s=1, settings=LiveSettings(poll_interval_s=0.2))
    assert [o.uuid for o in res.swept_at_start] == [leftover.uuid]
    open_now, closed = orders_on(access)
    assert [o.uuid for o in open_now] == [foreign.uuid]
    assert [o.state for o in closed if o.uuid == leftover.uuid] == ["cancel"]
    with AsyncBridge() as bridge:                                     # tidy the foreign order for other tests
        ex = LiveExchange(rest_for("sweep"), bridge)
        ex.cancel_order(uuid=foreign.uuid)
        ex.close()


def test_watchdog_cancels_untracked_own_order_and_publishes_zombie_count(server, rest_for, orders_on):
    from components.types import metric_names as MN
    from components.types.metrics import Metrics
    from components.types.orders import OrderIntent
    from engine.live.guard import OrderGuard
    from engine.order_manager import OrderManager
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest_for("watchdog"), bridge)
        om = OrderManager(ex, prefix="scalp-7-abc")
        tracked, _ = om.submit(OrderIntent(**resting_bid(server), reason="entry"), 0, "entry")
        assert tracked is not None and tracked.order.state == "wait"
        ex.create_order(**resting_bid(server), identifier="scalp-7-abc-lost")   # e.g. a lost answer
        metrics = Metrics()
        guard = OrderGuard(ex, om, ttl_s=3600)
        assert guard.watchdog(0, metrics) == 1 and metrics.get(MN.ZOMBIE_ORDERS) == 1
        open_ids = [o.identifier for o in orders_on("live-watchdog-access")[0]]
        assert tracked.intent.identifier in open_ids and "scalp-7-abc-lost" not in open_ids
        # Wall-clock TTL: the tracked order past its TTL is cancelled even though no event moved the clock.
        guard.ttl_s = 0.0
        guard.watchdog(0, metrics, now_s=tracked.order.sent_wall_s + 1)
        assert tracked.cancel_sent
        ex.refresh()
        assert om.poll(1) and tracked.state == "cancel"
        assert orders_on("live-watchdog-access")[0] == []
        ex.close()


def test_reconcile_ignores_prior_holdings_and_flags_unexplained_change(server, rest_for):
    """A buy made behind the engine's back (not booked) is drift; coins held before the session are not."""
    from types import SimpleNamespace

    from components.types import metric_names as MN
    from components.types.metrics import Metrics
    from components.types.orders import Position
    from engine.live.guard import OrderGuard
    last = server.call(lambda: server.state.market.stats["KRW-DAWN"].last)
    with AsyncBridge() as bridge:
        ex = LiveExchange(rest_for("reconcile"), bridge)
        wait_final(ex, ex.create_order("KRW-DAWN", "bid", "price", price=20_000, identifier="by-hand-before"))
        loop = SimpleNamespace(markets=["KRW-DAWN"], positions={"KRW-DAWN": Position("KRW-DAWN")},
                               last_px={"KRW-DAWN": last})
        guard, metrics = OrderGuard(ex, om=None, ttl_s=60), Metrics()
        first = guard.reconcile(loop, metrics)
        assert first["baseline"]["KRW-DAWN"] > 0 and first["drift_pct"] == 0.0
        wait_final(ex, ex.create_order("KRW-DAWN", "bid", "price", price=200_000, identifier="by-hand-during"))
        second = guard.reconcile(loop, metrics)
        assert second["diff"]["KRW-DAWN"] > 0 and second["drift_pct"] > 1.0
        assert metrics.get(MN.BALANCE_DRIFT_PCT) == 0.0          # one sighting may be a race ...
        guard.reconcile(loop, metrics)
        assert metrics.get(MN.BALANCE_DRIFT_PCT) > 1.0           # ... two is a mismatch for the kill switch
        ex.close()
