"""The async REST client against the local server (every endpoint) and against scripted transports."""
import asyncio
import json
import time

import httpx
import pytest
from pydantic import SecretStr

from components.types.upbit import errors as E
from components.exchange.upbit.rest import UpbitRest

ACCESS = "client-test-access"
SECRET = "client-test-secret-0123456789abcdef0123"


def _client(base_url: str, **kw) -> UpbitRest:
    return UpbitRest(UpbitRest.Params(base_url=base_url, **kw), SecretStr(ACCESS), SecretStr(SECRET),
                     transport=kw.pop("transport", None) if "transport" in kw else None)


def run(coro):
    return asyncio.run(coro)


def _wait_for_book(server, market="KRW-ADA"):
    deadline = time.monotonic() + 10
    while market not in server.state.market.books or not server.state.market.stats[market].last_ts:
        assert time.monotonic() < deadline, "replay produced no book"
        time.sleep(0.05)


def test_quotation_endpoints(server):
    _wait_for_book(server)

    async def go():
        async with _client(server.base_url) as c:
            markets = await c.markets(is_details=True)
            tick = await c.ticker(["KRW-ADA"])
            book = await c.orderbook(["KRW-ADA"])
            inst = await c.orderbook_instruments(["KRW-ADA"])
            trades = await c.trades_ticks("KRW-ADA", count=5)
            candles = await c.candles("KRW-ADA", "minutes", 1, count=3)
            tall = await c.ticker_all(["KRW"])
            with pytest.raises(E.NotFound):
                await c.ticker(["KRW-NOPE"])
            return markets, tick, book, inst, trades, candles, tall
    markets, tick, book, inst, trades, candles, tall = run(go())
    assert "KRW-ADA" in {m["market"] for m in markets}
    assert "GLOBAL_PRICE_DIFFERENCES" in markets[0]["market_event"]["caution"]
    assert isinstance(tick[0]["trade_price"], float) and tick[0]["market"] == "KRW-ADA"
    units = book[0]["orderbook_units"]
    assert units[0]["ask_price"] > units[0]["bid_price"] and book[0]["level"] == 0
    assert inst[0]["tick_size"] == "1" and inst[0]["quote_currency"] == "KRW"
    assert 1 <= len(trades) <= 5 and trades == sorted(trades, key=lambda t: -t["sequential_id"])
    assert candles and candles[0]["unit"] == 1
    assert all(t["market"].startswith("KRW-") for t in tall)


def test_private_round_trip_every_order_endpoint(server):
    _wait_for_book(server)

    async def go():
        async with _client(server.base_url) as c:
            acc = await c.accounts()
            chance = await c.order_chance("KRW-ADA")
            bid = (await c.orderbook(["KRW-ADA"]))[0]["orderbook_units"][0]["bid_price"]
            px = int(bid) - 30
            o = await c.create_order("KRW-ADA", "bid", "limit", volume=5, price=px, identifier="t-1")
            by_ident = await c.get_order(identifier="t-1")
            opened = await c.orders_open(market="KRW-ADA")
            listed = await c.orders_uuids(uuids=[o["uuid"]])
            test = await c.create_order("KRW-ADA", "bid", "limit", volume=5, price=px, test=True)
            acc_after = await c.accounts()
            canceled = await c.cancel_order(identifier="t-1")
            after = await c.get_order(o["uuid"])
            closed = await c.orders_closed(market="KRW-ADA", states=["cancel"])
            o2 = await c.create_order("KRW-ADA", "bid", "limit", volume=5, price=px, identifier="t-2")
            repl = await c.cancel_and_new("limit", prev_order_identifier="t-2", new_price=px - 1,
                                          new_volume="remain_only", new_identifier="t-3")
            o4 = await c.create_order("KRW-ADA", "bid", "limit", volume=4, price=px, identifier="t-4")
            batch = await c.cancel_orders_uuids(identifiers=["t-4"])
            allc = await c.cancel_open_orders()
            left = await c.orders_open()
            return dict(acc=acc, chance=chance, o=o, by_ident=by_ident, opened=opened, listed=listed, test=test,
                        acc_after=acc_after, canceled=canceled, after=after, closed=closed, o2=o2, repl=repl,
                        o4=o4, batch=batch, allc=allc, left=left, px=px)
    r = run(go())
    krw = {a["currency"]: a for a in r["acc"]}["KRW"]
    assert krw["balance"] == "10000000" and isinstance(krw["locked"], str)
    assert r["chance"]["bid_fee"] == "0.0005" and r["chance"]["market"]["id"] == "KRW-ADA"
    o = r["o"]
    assert o["state"] == "wait" and o["volume"] == "5" and o["price"] == str(r["px"])
    # bid locks notional + fee (§3.3)
    assert float(o["locked"]) == pytest.approx(5 * r["px"] * 1.0005)
    assert r["by_ident"]["uuid"] == o["uuid"] and "trades" in r["by_ident"]
    assert o["uuid"] in {x["uuid"] for x in r["opened"]} and r["listed"][0]["uuid"] == o["uuid"]
    assert r["test"]["uuid"] != o["uuid"]
    locked_after = float({a["currency"]: a for a in r["acc_after"]}["KRW"]["locked"])
    assert locked_after == pytest.approx(float(o["locked"]))          # /orders/test locked nothing
    assert r["canceled"]["state"] == "wait" and r["after"]["state"] == "cancel"
    assert o["uuid"] in {x["uuid"] for x in r["closed"]}
    assert r["repl"]["uuid"] == r["o2"]["uuid"] and r["repl"]["new_order_identifier"] == "t-3"
    assert r["batch"]["success"]["count"] == 1 and r["batch"]["success"]["orders"][0]["uuid"] == r["o4"]["uuid"]
    assert r["allc"]["success"]["count"] == 1                          # the replacement order t-3
    assert r["left"] == []


def test_rejections_are_typed(server):
    _wait_for_book(server)

    async def go():
        async with _client(server.base_url) as c:
            with pytest.raises(E.ERRORS["under_min_total_bid"]):
                await c.create_order("KRW-ADA", "bid", "limit", volume=1, price=1000)
            with pytest.raises(E.ERRORS["invalid_price_bid"]):
                await c.create_order("KRW-ADA", "bid", "limit", volume=10, price=1000.5)
            with pytest.raises(E.ERRORS["insufficient_funds_bid"]):
                await c.create_order("KRW-ADA", "bid", "limit", volume=100000, price=1000)
            with pytest.raises(E.OrderNotFound):
                await c.get_order("00000000-0000-0000-0000-000000000000")
        bad = UpbitRest(UpbitRest.Params(base_url=server.base_url), SecretStr(ACCESS),
                        SecretStr("wrong-secret-0123456789abcdef0123456789"))
        with pytest.raises(E.ERRORS["jwt_verification"]):
            await bad.accounts()
        await bad.close()
    run(go())


def _scripted(handler):
    return httpx.MockTransport(handler)


def test_numbers_go_out_as_strings_and_arrays_as_key_brackets():
    seen = []

    def handler(req: httpx.Request):
        seen.append(req)
        if req.method == "POST":
            return httpx.Response(201, json={"uuid": "u"})
        return httpx.Response(200, json=[], headers={"Remaining-Req": "group=default; min=1800; sec=29"})
    c = UpbitRest(UpbitRest.Params(base_url="http://x"), SecretStr(ACCESS), SecretStr(SECRET),
                  transport=_scripted(handler))

    async def go():
        await c.create_order("KRW-BTC", "bid", "limit", volume=0.0001, price=100000000.0, identifier="i")
        await c.orders_closed(states=["done", "cancel"])
        await c.close()
    run(go())
    body = json.loads(seen[0].content)
    assert body == {"market": "KRW-BTC", "side": "bid", "ord_type": "limit", "volume": "0.0001",
                    "price": "100000000", "identifier": "i"}
    assert "states[]=done&states[]=cancel" in str(seen[1].url)


def test_timed_out_create_is_looked_up_not_resent():
    calls = {"POST": 0, "GET": 0}

    def handler(req: httpx.Request):
        calls[req.method] += 1
        if req.method == "POST":
            raise httpx.ReadTimeout("slow", request=req)
        assert "identifier=abc" in str(req.url)
        return httpx.Response(200, json={"uuid": "found", "identifier": "abc", "state": "wait"})
    c = UpbitRest(UpbitRest.Params(base_url="http://x", retries=2), SecretStr(ACCESS), SecretStr(SECRET),
                  transport=_scripted(handler))
    got = run(c.create_order("KRW-BTC", "bid", "limit", volume=1, price=1000, identifier="abc"))
    assert got["uuid"] == "found" and calls == {"POST": 1, "GET": 1}

    def handler404(req: httpx.Request):
        calls[req.method] += 1
        if req.method == "POST":
            raise httpx.ReadTimeout("slow", request=req)
        return httpx.Response(404, json={"error": {"name": "order_not_found", "message": "no"}})
    calls.update(POST=0, GET=0)
    c2 = UpbitRest(UpbitRest.Params(base_url="http://x"), SecretStr(ACCESS), SecretStr(SECRET),
                   transport=_scripted(handler404))
    with pytest.raises(E.OutcomeUnknown):           # a 404 right after a lost answer proves nothing yet
        run(c2.create_order("KRW-BTC", "bid", "limit", volume=1, price=1000, identifier="abc"))
    assert calls["POST"] == 1


@pytest.mark.parametrize("lookup_status", [200, 418])
def test_malformed_2xx_create_is_unknown_never_a_refusal(lookup_status):
    """201 with a broken body: processed, answer lost. Found by identifier -> the order; a 418 on that lookup
    -> OutcomeUnknown (never Blocked: that would read as 'refused, not placed')."""
    calls = {"POST": 0, "GET": 0}

    def handler(req: httpx.Request):
        calls[req.method] += 1
        if req.method == "POST":
            return httpx.Response(201, text='{"uuid": "u1", "sta', headers={"Content-Type": "application/json"})
        if lookup_status == 418:
            return httpx.Response(418, json={"error": {"name": "too_many_requests_blocked", "message": "b"}},
                                  headers={"Retry-After": "1"})
        return httpx.Response(200, json={"uuid": "u1", "identifier": "m1", "state": "wait"})
    c = UpbitRest(UpbitRest.Params(base_url="http://x", retries=2), SecretStr(ACCESS), SecretStr(SECRET),
                  transport=_scripted(handler))
    if lookup_status == 200:
        assert run(c.create_order("KRW-BTC", "bid", "limit", volume=1, price=1000, identifier="m1"))["uuid"] == "u1"
    else:
        with pytest.raises(E.OutcomeUnknown):
            run(c.create_order("KRW-BTC", "bid", "limit", volume=1, price=1000, identifier="m1"))
    assert calls == {"POST": 1, "GET": 1}


def test_only_named_refusals_mean_not_placed():
    assert E.not_placed(E.ERRORS["insufficient_funds_bid"]("no", 400))
    assert E.not_placed(E.RateLimited("slow down", 429)) and E.not_placed(E.Blocked("blocked", 418))
    for unknown in (E.ServerError("5xx", 500), E.RequestTimeout("t", 0), E.MalformedResponse("m", 201),
                    E.OutcomeUnknown("u", 0), E.BadRequest("new error name", 400, "some_new_error")):
        assert not E.not_placed(unknown), unknown


def test_418_stops_the_client_before_sending():
    sent = []

    def handler(req):
        sent.append(req)
        return httpx.Response(418, text="blocked", headers={"Retry-After": "30"})
    c = UpbitRest(UpbitRest.Params(base_url="http://x"), SecretStr(ACCESS), SecretStr(SECRET),
                  transport=_scripted(handler))
    with pytest.raises(E.Blocked):
        run(c.ticker(["KRW-BTC"]))
    with pytest.raises(E.Blocked):
        run(c.accounts())
    assert len(sent) == 1


def test_429_then_success_is_retried_with_backoff():
    n = {"i": 0}

    def handler(req):
        n["i"] += 1
        if n["i"] == 1:
            return httpx.Response(429, text="Too many API requests.")
        return httpx.Response(200, json=[{"market": "KRW-BTC"}])
    c = UpbitRest(UpbitRest.Params(base_url="http://x"), transport=_scripted(handler))
    assert run(c.markets()) == [{"market": "KRW-BTC"}] and n["i"] == 2


def test_keys_never_in_repr(monkeypatch):
    monkeypatch.setenv("UPBIT_ACCESS_KEY", "AK-visible?")
    monkeypatch.setenv("UPBIT_SECRET_KEY", "SK-hidden-value")
    c = UpbitRest(UpbitRest.Params())
    assert "SK-hidden" not in repr(c) and "SK-hidden" not in repr(c.__dict__)
