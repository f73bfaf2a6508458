"""WebSocket client against the local server: formats, private streams, reconnect without loss or repeats."""
import asyncio

import pytest

from components.exchange.upbit.rest import UpbitRest
from components.types.upbit.ws import AuthRefused, TradeDeduper, UpbitWs
from components.types.events import BookSnapshot, Trade

ACCESS = "client-test-access"
SECRET = "client-test-secret-0123456789abcdef0123"
MARKETS = ["KRW-ADA", "KRW-ANKR", "KRW-BAT", "KRW-DAWN", "KRW-IQ", "KRW-STX"]


async def _collect(ws: UpbitWs, seconds: float) -> list:
    out = []

    async def pump():
        async for ev in ws.events():
            out.append(ev)
    try:
        await asyncio.wait_for(pump(), seconds)
    except asyncio.TimeoutError:
        pass
    await ws.close()
    return out


def _by_id(events: list) -> dict:
    out: dict = {}
    for e in events:
        if isinstance(e, Trade):
            out.setdefault((e.market, e.seq), []).append(e)
    return out


def test_default_and_simple_streams_give_identical_events(server):
    types = {"trade": MARKETS, "orderbook": MARKETS}

    async def go():
        a = UpbitWs(server.ws_url, types, "DEFAULT")
        b = UpbitWs(server.ws_url, types, "SIMPLE")
        return await asyncio.gather(_collect(a, 2.5), _collect(b, 2.5))
    ev_a, ev_b = asyncio.run(go())
    # a sequential_id is unique within a market only (110 of the capture's 530 ids occur in two markets), and the
    # looping replay repeats a trade: each (market, id)'s prints are compared in arrival order
    ta, tb = _by_id(ev_a), _by_id(ev_b)
    common = set(ta) & set(tb)
    assert len(common) >= 3
    assert all(x == y for k in common for x, y in zip(ta[k], tb[k]))
    books_a = [e for e in ev_a if isinstance(e, BookSnapshot)]
    books_b = {(e.market, e.ts_ms): e for e in ev_b if isinstance(e, BookSnapshot)}
    pairs = [(x, books_b[(x.market, x.ts_ms)]) for x in books_a if (x.market, x.ts_ms) in books_b]
    assert pairs and all((x.ask_px == y.ask_px).all() and (x.bid_sz == y.bid_sz).all() for x, y in pairs)


def test_private_stream_reports_my_orders_and_assets(server):
    async def go():
        ws = UpbitWs(server.ws_url + "/private", {"myOrder": None, "myAsset": None}, "SIMPLE", ACCESS, SECRET)
        task = asyncio.create_task(_collect(ws, 3.0))
        await asyncio.sleep(0.5)
        async with UpbitRest(UpbitRest.Params(base_url=server.base_url), _s(ACCESS), _s(SECRET)) as c:
            bid = (await c.orderbook(["KRW-ADA"]))[0]["orderbook_units"][0]["bid_price"]
            o = await c.create_order("KRW-ADA", "bid", "limit", volume=5, price=int(bid) - 40)
            await asyncio.sleep(0.3)
            await c.cancel_order(o["uuid"])
            m = await c.create_order("KRW-ADA", "bid", "price", price=6000)
        return o, m, await task
    o, m, events = asyncio.run(go())
    filled = [e for e in events if isinstance(e, dict) and e.get("type") == "myOrder" and e["uuid"] == m["uuid"]]
    states = [e["state"] for e in filled]
    assert "trade" in states and states[-1] in ("done", "cancel")   # a market buy filled at once is reported
    trade = filled[states.index("trade")]
    assert trade["price"] > 0 and trade["volume"] > 0 and trade["trade_uuid"]
    mine = [e for e in events if isinstance(e, dict) and e.get("type") == "myOrder" and e["uuid"] == o["uuid"]]
    assert [e["state"] for e in mine] == ["wait", "cancel"]
    assert mine[0]["code"] == "KRW-ADA" and mine[0]["ask_bid"] == "BID"
    assets = [e for e in events if isinstance(e, dict) and e.get("type") == "myAsset"]
    assert assets and any(a["currency"] == "KRW" for x in assets for a in x["assets"])


def test_private_stream_refuses_a_bad_token(server):
    ws = UpbitWs(server.ws_url + "/private", {"myOrder": None}, "DEFAULT", ACCESS,
                 "wrong-secret-0123456789abcdef0123456789")
    with pytest.raises(AuthRefused):
        asyncio.run(_collect(ws, 3.0))


def _s(x):
    from pydantic import SecretStr
    return SecretStr(x)


@pytest.fixture(scope="module")
def dropping_server(shared_data):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    cfg = ServerConfig(port=0, source={"kind": "capture", "speed": 20, "loop": True,
                                       "path": str(shared_data / "upbit/ws_captures/UPBIT-d78752.0")},
                       faults={"ws_drop_every_s": 1.0})
    srv = RunningServer(cfg)
    yield srv
    srv.stop()


def test_reconnect_after_server_drops_loses_no_trade_and_repeats_none(dropping_server):
    srv = dropping_server
    rest = UpbitRest(UpbitRest.Params(base_url=srv.base_url))

    async def backfill(market, after_sid):
        from components.types.upbit.messages import parse_message
        rows = await rest.trades_ticks(market, count=500)
        return [parse_message(r) for r in rows if r["sequential_id"] > after_sid]

    async def go():
        ws = UpbitWs(srv.ws_url, {"trade": MARKETS}, "SIMPLE", backoff_min_s=0.05, backoff_max_s=0.2,
                     backfill=backfill)
        evs = await _collect(ws, 4.5)
        await rest.close()
        return ws, evs
    ws, evs = asyncio.run(go())
    trades = [e for e in evs if isinstance(e, Trade)]
    assert ws.stats.reconnects >= 2
    assert len({(t.market, t.seq) for t in trades}) == len(trades)            # no duplicates
    history = srv.call(lambda: {m: [t.seq for t in srv.state.market.stats[m].history] for m in MARKETS})
    for m in MARKETS:
        got = sorted(t.seq for t in trades if t.market == m)
        if len(got) < 2:
            continue
        published = [s for s in history[m] if got[0] <= s <= got[-1]]
        assert got == sorted(published), m                                  # sequential_id continuity


def test_stale_stream_is_detected_and_reconnected(server):
    ws = UpbitWs(server.ws_url, {"trade": ["KRW-NOPE"]}, "DEFAULT", backoff_min_s=0.05, ping_interval_s=0.2,
                 stale_after_s=0.5)
    asyncio.run(_collect(ws, 2.0))
    assert ws.stats.stale_reconnects >= 1 and ws.stats.reconnects >= 1


def test_deduper_drops_repeats_and_counts_out_of_order():
    d = TradeDeduper()
    mk = lambda s: Trade("KRW-BTC", 0, 1.0, 1.0, 1, s)  # noqa: E731
    assert [d.accept(mk(s)) for s in (5, 6, 6, 4, 7, 5)] == [True, True, False, True, True, False]
    assert d.duplicates == 2 and d.out_of_order == 1
