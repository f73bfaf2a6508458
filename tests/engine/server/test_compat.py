"""Proof the server speaks Upbit, not our dialect: ccxt's `upbit` class and pyupbit trade against it,
and our own client sees the same orders and balances."""
import asyncio
import time
import warnings

import pytest
from pydantic import SecretStr

from components.exchange.upbit.rest import UpbitRest
from tests.engine.server.conftest import CLIENTS


def ours(server, name):
    access, secret = CLIENTS[name]
    return UpbitRest(UpbitRest.Params(base_url=server.base_url), SecretStr(access), SecretStr(secret))


def our_view(server, uuid, name):
    """(the order, the account's balances) as our own client reads them with test `name`'s keys."""
    async def go():
        async with ours(server, name) as c:
            return await c.get_order(uuid), await c.accounts()
    return asyncio.run(go())


def test_ccxt_upbit_trades_against_the_server(server):
    ccxt = pytest.importorskip("ccxt")
    access, secret = CLIENTS["ccxt"]              # its own account: the pyupbit test's coins are not in it
    ex = ccxt.upbit({"apiKey": access, "secret": secret, "enableRateLimit": False,
                     "urls": {"api": {"public": server.base_url, "private": server.base_url}}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        markets = ex.load_markets()
        assert "ADA/KRW" in markets
        ticker = ex.fetch_ticker("ADA/KRW")
        book = ex.fetch_order_book("ADA/KRW")
        trades = ex.fetch_trades("ADA/KRW")
        bal = ex.fetch_balance()
        assert ticker["last"] > 0 and book["bids"][0][0] < book["asks"][0][0] and trades
        assert bal["KRW"]["free"] > 0
        px = book["bids"][0][0] - 25
        o = ex.create_order("ADA/KRW", "limit", "buy", 5, px)
        fetched = ex.fetch_order(o["id"])
        assert fetched["status"] == "open" and fetched["price"] == px and fetched["amount"] == 5
        mine, accounts = our_view(server, o["id"], "ccxt")
        assert mine["state"] == "wait" and float(mine["price"]) == px
        krw = {a["currency"]: a for a in accounts}["KRW"]
        assert float(krw["locked"]) >= 5 * px * 1.0005 - 1e-6
        ex.cancel_order(o["id"])
        time.sleep(0.1)
        assert ex.fetch_order(o["id"])["status"] == "canceled"
        assert our_view(server, o["id"], "ccxt")[0]["state"] == "cancel"
        mo = ex.create_order("ADA/KRW", "market", "buy", None, None, {"cost": 6000})
        time.sleep(0.2)
        done = ex.fetch_order(mo["id"])
        assert done["filled"] > 0 and done["cost"] == pytest.approx(6000, rel=1e-3)
        mine, accounts = our_view(server, mo["id"], "ccxt")
        assert float(mine["executed_volume"]) == pytest.approx(done["filled"])
        ada = {a["currency"]: a for a in accounts}["ADA"]
        assert float(ada["balance"]) == pytest.approx(ex.fetch_balance()["ADA"]["total"])


class _Redirect:
    """Stands in for the `requests` module inside pyupbit: same calls, host swapped for the local server."""

    def __init__(self, base_url: str) -> None:
        import requests
        self._requests, self.base = requests, base_url

    def _fix(self, url: str) -> str:
        return url.replace("https://api.upbit.com", self.base)

    def get(self, url, **kw):
        return self._requests.get(self._fix(url), **kw)

    def post(self, url, **kw):
        return self._requests.post(self._fix(url), **kw)

    def delete(self, url, **kw):
        return self._requests.delete(self._fix(url), **kw)


def test_pyupbit_trades_against_the_server(server, monkeypatch):
    pyupbit = pytest.importorskip("pyupbit")
    import pyupbit.request_api as ra
    monkeypatch.setattr(ra, "requests", _Redirect(server.base_url))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tickers = pyupbit.get_tickers(fiat="KRW")
        assert "KRW-ADA" in tickers
        price = pyupbit.get_current_price("KRW-ADA")
        book = pyupbit.get_orderbook("KRW-ADA")
        assert price > 0 and book["orderbook_units"][0]["bid_price"] < book["orderbook_units"][0]["ask_price"]
        up = pyupbit.Upbit(*CLIENTS["pyupbit"])     # its own account: ADA the ccxt test bought is not in it
        balances = up.get_balances()
        assert {b["currency"] for b in balances} >= {"KRW"}
        px = int(book["orderbook_units"][0]["bid_price"]) - 35
        o = up.buy_limit_order("KRW-ADA", px, 5)
        assert o is not None and o["state"] == "wait", o
        got = up.get_order(o["uuid"])
        assert got["uuid"] == o["uuid"] and got["price"] == str(px)
        assert our_view(server, o["uuid"], "pyupbit")[0]["state"] == "wait"
        c = up.cancel_order(o["uuid"])
        assert c["uuid"] == o["uuid"]
        assert our_view(server, o["uuid"], "pyupbit")[0]["state"] == "cancel"
        m = up.buy_market_order("KRW-ADA", 6000)
        assert m["ord_type"] == "price"
        time.sleep(0.2)
        mine = our_view(server, m["uuid"], "pyupbit")[0]
        assert float(mine["executed_volume"]) > 0
        assert up.get_balance("KRW-ADA") > 0
