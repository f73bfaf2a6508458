"""The server's market trading state (suspended_markets, delisted_markets) on its WebSocket tickers, read by the
upbit_ws feed: MarketStatus events, orders refused market_offline, a malformed state logged and the feed going on."""
import asyncio
import json
import logging
import time

import pytest

import registry
from components.types.upbit.market_state import MarketStatus

from tests.engine.server.conftest import ACCESS, SECRET

STATES = {"delisted_markets": ["KRW-ADA"], "suspended_markets": ["KRW-DAWN"]}


def feed_events(srv, markets, until, timeout_s=8.0):
    """Events of an upbit_ws feed (tickers and trades, no bars, no REST) on `srv` until `until(events)`."""
    registry.load_all()
    feed = registry.build("feed", {"component": "upbit_ws", "url": srv.ws_url, "rest_url": srv.base_url,
                                   "types": ["trade", "ticker"], "bars_s": [], "backfill": False,
                                   "warmup_bars": 0}, path="feed")
    got: list = []

    async def run():
        async def pump():
            async for ev in feed.events(markets):
                got.append(ev)
                if until(got):
                    return
        try:
            await asyncio.wait_for(pump(), timeout_s)
        finally:
            await feed.close()
    asyncio.run(run())
    return feed, got


def statuses(events):
    return {e.market: e for e in events if isinstance(e, MarketStatus)}


@pytest.mark.parametrize("fresh_server", [STATES], indirect=True)
def test_tickers_carry_the_trading_state_and_orders_are_refused(fresh_server):
    markets = ["KRW-ADA", "KRW-DAWN", "KRW-STX"]
    _, events = feed_events(fresh_server, markets, lambda evs: len(statuses(evs)) == 3)
    st = statuses(events)
    assert {m: s.flag for m, s in st.items()} == {"KRW-ADA": "delisted", "KRW-DAWN": "suspended", "KRW-STX": ""}
    assert st["KRW-ADA"].market_state == "DELISTED" and len(st["KRW-ADA"].delisting_date) == 10   # yyyy-MM-dd
    assert st["KRW-DAWN"].is_trading_suspended is True and st["KRW-DAWN"].market_state == "ACTIVE"
    assert st["KRW-STX"].is_trading_suspended is False and st["KRW-STX"].delisting_date is None
    # each status comes right before the ticker it was read from (which the feed still delivers)
    i = events.index(st["KRW-ADA"])
    assert isinstance(events[i + 1], dict) and events[i + 1]["code"] == "KRW-ADA"
    assert events[i + 1]["market_state"] == "DELISTED"

    from pydantic import SecretStr

    from components.exchange.upbit.rest import UpbitRest
    from components.types.upbit.errors import UpbitError

    async def create(market):
        rest = UpbitRest(UpbitRest.Params(base_url=fresh_server.base_url, timeout_ms=2000, retries=0),
                         access_key=SecretStr(ACCESS), secret_key=SecretStr(SECRET))
        try:
            return await rest.create_order(market, "bid", "price", price="10000")
        finally:
            await rest.close()
    for m in ("KRW-ADA", "KRW-DAWN"):
        with pytest.raises(UpbitError) as e:
            asyncio.run(create(m))
        assert "market_offline" in str(e.value)


def test_a_state_lifted_mid_stream_is_a_new_status(fresh_server):
    fresh_server.call(lambda: fresh_server.state.suspended.add("KRW-DAWN"))
    seen = []

    def until(evs):
        st = [e for e in evs if isinstance(e, MarketStatus) and e.market == "KRW-DAWN"]
        if st and st[-1].flag == "suspended" and len(seen) == 0:
            seen.append(1)
            fresh_server.call(lambda: fresh_server.state.suspended.discard("KRW-DAWN"))   # trading resumes
        return bool(seen) and st[-1].flag == ""
    _, events = feed_events(fresh_server, ["KRW-DAWN"], until)
    flags = [e.flag for e in events if isinstance(e, MarketStatus)]
    assert flags == ["suspended", ""]                   # changes only, however many tickers came between


def test_a_malformed_state_is_logged_and_the_feed_goes_on(fresh_server, monkeypatch, caplog):
    market = fresh_server.state.market
    good = market.trading_state
    monkeypatch.setattr(market, "trading_state", lambda m: {**good(m), "market_state": "HALTED"}
                        if m == "KRW-ADA" else good(m))
    t0 = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="scalp.feed"):
        feed, events = feed_events(fresh_server, ["KRW-ADA", "KRW-STX"],
                                   lambda evs: sum(1 for e in evs if getattr(e, "kind", 0) == 1) >= 20)
    assert time.monotonic() - t0 < 8.0                  # trades kept coming after the malformed tickers
    assert set(statuses(events)) == {"KRW-STX"}        # no status from the malformed market
    assert feed.states.malformed >= 1
    errors = [json.loads(r.getMessage()) for r in caplog.records
              if r.levelno == logging.ERROR and r.name == "scalp.feed"]
    assert len(errors) == 1 and "KRW-ADA" in errors[0]["error"] and "market_state='HALTED'" in errors[0]["error"]


@pytest.mark.parametrize("fresh_server", [{"market_cautions": {"KRW-ADA": ["PRICE_FLUCTUATIONS"]}}], indirect=True)
def test_market_all_carries_the_configured_cautions(fresh_server):
    import httpx
    rows = {r["market"]: r for r in httpx.get(f"{fresh_server.base_url}/v1/market/all",
                                              params={"is_details": "true"}, timeout=5).json()}
    assert rows["KRW-ADA"]["market_event"]["caution"]["PRICE_FLUCTUATIONS"] is True
    assert not any(v for m, r in rows.items() if m != "KRW-ADA" for v in r["market_event"]["caution"].values())
    assert sum(rows["KRW-ADA"]["market_event"]["caution"].values()) == 1


def test_a_misspelt_caution_kind_is_refused_by_the_server_config():
    from pydantic import ValidationError

    from engine.server.config import ServerConfig
    with pytest.raises(ValidationError) as e:
        ServerConfig(market_cautions={"KRW-ADA": ["PRICE_DIFFERENCES"]})
    assert "market_cautions" in str(e.value) and "GLOBAL_PRICE_DIFFERENCES" in str(e.value)
