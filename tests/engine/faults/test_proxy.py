"""The fault proxy: each fault type as an httpx / websockets client sees it, counted once per injection."""
import asyncio
import json

import httpx
import pytest

from engine.server.fault_proxy import REQUEST_FAULTS, FaultProxy, FaultRule, ProxyConfig

from .conftest import ACCESS, SECRET

pytestmark = pytest.mark.faults


@pytest.fixture
def proxy_for(server):
    made = []

    def make(rates=None, method="", path="", **kw):
        rules = [FaultRule(method=method, path=path, rates=rates or {})]
        p = FaultProxy(ProxyConfig(upstream_port=server.port, rules=rules, seed=3, **kw)).start()
        made.append(p)
        return p
    yield make
    for p in made:
        p.stop()


def _get(p, path="/v1/market/all", timeout_s=2.0):
    return httpx.get(p.base_url + path, timeout=timeout_s)


def test_no_fault_passes_replies_through_and_counts_nothing(proxy_for, server):
    p = proxy_for()
    with httpx.Client(base_url=p.base_url, timeout=2) as c:     # keep-alive: several requests, one connection
        replies = [c.get("/v1/market/all") for _ in range(3)]
    direct = httpx.get(server.base_url + "/v1/market/all", timeout=2)
    assert all(r.status_code == 200 and r.json() == direct.json() for r in replies)
    assert p.total() == 0 and p.snapshot()["upstream_status"] == {"200": 3}


@pytest.mark.parametrize("kind,status,name", [("error_5xx", 500, "server_error"),
                                              ("storm_429", 429, "too_many_requests"),
                                              ("teapot_418", 418, "too_many_requests_blocked"),
                                              ("error_5xx_after", 502, "bad_gateway")])
def test_error_replies_carry_upbit_error_bodies(proxy_for, kind, status, name):
    p = proxy_for({kind: 1.0})
    r = _get(p)
    assert r.status_code == status and r.json()["error"]["name"] == name
    assert p.counts[kind] == 1 and p.total() == 1
    forwarded = kind.endswith("_after")
    assert sum(p.upstream.values()) == (1 if forwarded else 0)      # "after" faults reach the server first


@pytest.mark.parametrize("kind", ["reset_before", "drop_after"])
def test_connection_closed_without_a_reply(proxy_for, kind):
    p = proxy_for({kind: 1.0})
    with pytest.raises(httpx.TransportError):
        _get(p)
    assert p.counts[kind] == 1
    assert sum(p.upstream.values()) == (1 if kind == "drop_after" else 0)


@pytest.mark.parametrize("kind", ["hang_before", "hang_after"])
def test_hang_outlasts_the_client_timeout(proxy_for, kind):
    p = proxy_for({kind: 1.0}, hang_s=2.0)
    with pytest.raises(httpx.TimeoutException):
        _get(p, timeout_s=0.3)
    assert p.counts[kind] == 1


def test_malformed_2xx_keeps_the_status_and_spoils_the_body(proxy_for):
    p = proxy_for({"malformed_2xx": 1.0})
    bad = 0
    for _ in range(6):
        r = _get(p)
        assert r.status_code == 200
        try:
            json.loads(r.content)
        except ValueError:
            bad += 1
    assert bad == 6 and p.counts["malformed_2xx"] == 6


def test_storm_answers_429_for_its_length_and_counts_each(proxy_for):
    p = proxy_for({"storm_429": 0.3}, storm_s=60.0)
    statuses = [_get(p).status_code for _ in range(12)]
    first = statuses.index(429)
    assert all(s == 429 for s in statuses[first:])      # once started, the storm holds every request
    assert p.counts["storm_429"] == len(statuses) - first


def test_rules_match_method_and_path_only(proxy_for, server):
    from components.types.upbit.auth import make_token
    p = proxy_for({"error_5xx": 1.0}, method="POST", path="/v1/orders")
    assert _get(p).status_code == 200
    hdr = {"Authorization": f"Bearer {make_token(ACCESS, SECRET, {})}"}
    assert httpx.get(p.base_url + "/v1/accounts", headers=hdr, timeout=2).status_code == 200
    q = {"market": "KRW-DAWN", "side": "bid", "ord_type": "limit", "price": "1", "volume": "10000"}
    hdr = {"Authorization": f"Bearer {make_token(ACCESS, SECRET, q)}"}
    assert httpx.post(p.base_url + "/v1/orders", json=q, headers=hdr, timeout=2).status_code == 500
    assert dict(p.counts) == {"error_5xx": 1}


def test_seed_fixes_the_sequence_of_draws():
    rules = [FaultRule(rates={k: 0.05 for k in REQUEST_FAULTS if k != "storm_429"})]
    a = FaultProxy(ProxyConfig(upstream_port=1, rules=rules, seed=11))
    b = FaultProxy(ProxyConfig(upstream_port=1, rules=rules, seed=11))
    c = FaultProxy(ProxyConfig(upstream_port=1, rules=rules, seed=12))
    seq = lambda p: [p.draw("GET", "/v1/order") for _ in range(300)]  # noqa: E731
    sa = seq(a)
    assert sa == seq(b) and sa != seq(c) and len(set(sa)) > 3


def test_refuses_a_non_local_bind():
    with pytest.raises(ValueError, match="127.0.0.1"):
        FaultProxy(ProxyConfig(upstream_port=1, host="0.0.0.0"))


def test_websocket_is_proxied_then_dropped(proxy_for):
    import websockets
    p = proxy_for(ws_drop_mean_s=0.5)

    async def session():
        got = 0
        async with websockets.connect(p.ws_url) as ws:
            await ws.send(json.dumps([{"ticket": "t"}, {"type": "trade", "codes": ["KRW-DAWN", "KRW-STX", "KRW-ADA"]}]))
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 20)
                    got += 1
            except websockets.ConnectionClosed:
                return got
    for _ in range(3):
        asyncio.run(session())
    assert p.counts["ws_drop"] == 3


def test_cover_first_gives_each_fault_of_a_rule_once_then_draws():
    rates = {"error_5xx": 0.001, "drop_after": 0.001, "malformed_2xx": 0.001}
    p = FaultProxy(ProxyConfig(upstream_port=1, rules=[FaultRule(rates=rates)], cover_first=True))
    first = [p.draw("GET", "/v1/order") for _ in range(6)]
    assert first[0::2] == ["", "", ""] and sorted(first[1::2]) == sorted(rates)   # every other one, each once
    assert p.draw("GET", "/v1/order") == ""


def test_a_cover_draw_that_did_not_land_is_owed_to_the_next_request(proxy_for, server):
    import socket
    with socket.socket() as s:                      # a port nothing listens on: the upstream is down
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    p = proxy_for({"drop_after": 0.001}, cover_first=True, hang_s=0.1)
    p.cfg.upstream_port = dead
    for _ in range(2):                              # clean, then drop_after drawn: neither reaches a server
        with pytest.raises(httpx.TransportError):
            _get(p)
    assert p.counts["drop_after"] == 0
    p.cfg.upstream_port = server.port               # the server is back: the owed fault comes first
    with pytest.raises(httpx.TransportError):
        _get(p)
    assert p.counts["drop_after"] == 1 and p.snapshot()["upstream_status"] == {"200": 1}
    assert _get(p).status_code == 200               # owed once, not again (the rate is tiny)


def test_an_owed_type_is_not_owed_again_once_injected():
    p = FaultProxy(ProxyConfig(upstream_port=1, rules=[FaultRule(rates={"hang_after": 0.001})], cover_first=True))
    assert [p.draw("GET", "/x") for _ in range(2)] == ["", "hang_after"]
    p.missed("GET", "/x", "hang_after")
    p.missed("GET", "/x", "hang_after")             # the same miss twice: owed once
    assert p.draw("GET", "/x") == "hang_after" and p.draw("GET", "/x") == ""
    p.count("hang_after")
    p.missed("GET", "/x", "hang_after")             # injected already: nothing owed
    assert p.draw("GET", "/x") == ""
