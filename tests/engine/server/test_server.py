"""The server speaks Upbit on the wire: status codes, error bodies, JWT §4.5, Remaining-Req, 429->418, WS, faults."""
import hashlib
import json
import time
import uuid
import warnings
from urllib.parse import urlencode

import httpx
import jwt
import pytest

ACCESS = "server-test-access"
SECRET = "server-test-secret-0123456789abcdef012345"


def token(params=None, secret=SECRET, access=ACCESS, nonce=None, hash_text=None, alg="HS256"):
    payload = {"access_key": access, "nonce": nonce or str(uuid.uuid4())}
    text = hash_text if hash_text is not None else (urlencode(params, doseq=True).replace("%5B%5D=", "[]=")
                                                    if params else None)
    if text is not None:
        payload["query_hash"] = hashlib.sha512(text.encode()).hexdigest()
        payload["query_hash_alg"] = "SHA512"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"Authorization": "Bearer " + jwt.encode(payload, secret, algorithm=alg)}


def test_wrong_secret_gets_401_jwt_verification(server):
    r = httpx.get(server.base_url + "/v1/accounts", headers=token(secret="x" * 40))
    assert r.status_code == 401 and r.json()["error"]["name"] == "jwt_verification"


def test_auth_failures_by_name(server):
    url = server.base_url + "/v1/accounts"
    assert httpx.get(url).json()["error"]["name"] == "no_authorization_token"
    assert httpx.get(url, headers=token(access="nobody")).json()["error"]["name"] == "invalid_access_key"
    h = token(nonce="fixed-nonce-1")
    assert httpx.get(url, headers=h).status_code == 200
    r = httpx.get(url, headers=h)
    assert r.status_code == 401 and r.json()["error"]["name"] == "nonce_used"
    q = {"market": "KRW-ADA"}
    r = httpx.get(server.base_url + "/v1/orders/chance", params=q, headers=token({"market": "KRW-BTC"}))
    assert r.status_code == 401 and r.json()["error"]["name"] == "invalid_query_payload"
    r = httpx.get(server.base_url + "/v1/orders/chance", params=q, headers=token(q, alg="HS512"))
    assert r.status_code == 200 and r.json()["market"]["id"] == "KRW-ADA"


def test_params_from_query_form_and_json_bodies(server):
    q = {"market": "KRW-ADA"}
    # pyupbit style: GET with a form body
    r = httpx.request("GET", server.base_url + "/v1/orders/chance", content=urlencode(q),
                      headers={**token(q), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json()["market"]["id"] == "KRW-ADA"
    # states[] arrays in the query string
    q2 = {"market": "KRW-ADA", "states[]": ["done", "cancel"]}
    r = httpx.get(server.base_url + "/v1/orders/closed?" + urlencode(q2, doseq=True).replace("%5B%5D=", "[]="),
                  headers=token(q2))
    assert r.status_code == 200 and r.json() == []


def test_create_is_201_with_string_decimals_and_quotation_uses_numbers(server):
    book = httpx.get(server.base_url + "/v1/orderbook", params={"markets": "KRW-ADA"}).json()[0]
    assert isinstance(book["orderbook_units"][0]["bid_price"], float)
    px = int(book["orderbook_units"][0]["bid_price"]) - 50
    body = {"market": "KRW-ADA", "side": "bid", "volume": "5", "price": str(px), "ord_type": "limit"}
    r = httpx.post(server.base_url + "/v1/orders", content=json.dumps(body),
                   headers={**token(hash_text="&".join(f"{k}={v}" for k, v in body.items())),
                            "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["state"] == "wait" and o["price"] == str(px) and isinstance(o["locked"], str)
    assert r.headers["Remaining-Req"].startswith("group=order; ")
    # JSON-body hash built from the body fields; the hash of the JSON text is refused.
    body["identifier"] = "json-text-hash"
    r = httpx.post(server.base_url + "/v1/orders", content=json.dumps(body),
                   headers={**token(hash_text=json.dumps(body)), "Content-Type": "application/json"})
    assert r.status_code == 401 and r.json()["error"]["name"] == "invalid_query_payload"
    d = {"uuid": o["uuid"]}
    r = httpx.request("DELETE", server.base_url + "/v1/order", params=d, headers=token(d))
    assert r.status_code == 200 and r.json()["uuid"] == o["uuid"]


def test_errors_have_upbit_shapes(server):
    r = httpx.get(server.base_url + "/v1/ticker", params={"markets": "KRW-NOPE"})
    assert r.status_code == 404 and r.json() == {"error": {"name": 404, "message": "Code not found"}}
    r = httpx.get(server.base_url + "/v1/ticker")
    assert r.status_code == 400 and r.json()["error"]["name"] == 400
    d = {"uuid": "00000000-0000-0000-0000-000000000000"}
    r = httpx.get(server.base_url + "/v1/order", params=d, headers=token(d))
    assert r.status_code == 404 and r.json()["error"]["name"] == "order_not_found"
    body = {"market": "KRW-ADA", "side": "bid", "volume": "1", "price": "1000", "ord_type": "limit"}
    r = httpx.post(server.base_url + "/v1/orders", json=body, headers=token(body))
    assert r.status_code == 400 and r.json()["error"]["name"] == "under_min_total_bid"


@pytest.mark.parametrize("fresh_server", [{"rate_limits": {"ticker": [3, 5.0]}, "block_after_429s": 3,
                                           "block_s": 2.0}], indirect=True)
def test_remaining_req_then_429_then_418(fresh_server):
    url = fresh_server.base_url + "/v1/ticker?markets=KRW-ADA"
    codes, headers = [], []
    for _ in range(8):
        r = httpx.get(url)
        codes.append(r.status_code)
        headers.append(r.headers.get("Remaining-Req"))
    assert codes[:3] == [200, 200, 200] and headers[:3] == [f"group=ticker; min=600; sec={n}" for n in (2, 1, 0)]
    assert 429 in codes and codes[-1] == 418
    first418 = codes.index(418)
    assert set(codes[3:first418]) == {429} and set(codes[first418:]) == {418}
    assert int(r.headers["Retry-After"]) >= 1
    time.sleep(2.1)
    assert httpx.get(url).status_code in (200, 429)               # the 418 block expires


@pytest.mark.parametrize("fresh_server", [{"faults": {"error_5xx_rate": 1.0, "latency_ms": 200}}], indirect=True)
def test_fault_knobs_5xx_and_latency(fresh_server):
    t0 = time.monotonic()
    r = httpx.get(fresh_server.base_url + "/v1/market/all")
    assert r.status_code == 500 and time.monotonic() - t0 >= 0.2


@pytest.mark.parametrize("fresh_server", [{"faults": {"storm_429_rate": 1.0}}], indirect=True)
def test_fault_429_storm(fresh_server):
    assert httpx.get(fresh_server.base_url + "/v1/market/all").status_code == 429


def _ws_exchange(url, request, n_frames=3, timeout=5.0, headers=None, send_text=None):
    import asyncio

    from websockets.asyncio.client import connect

    async def go():
        async with connect(url, additional_headers=headers) as ws:
            await ws.send(request if isinstance(request, str) else json.dumps(request))
            if send_text:
                await ws.send(send_text)
            out = []
            while len(out) < n_frames:
                out.append(await asyncio.wait_for(ws.recv(), timeout))
            return out
    return asyncio.run(go())


def test_ws_binary_frames_simple_default_snapshot_and_ping(server):
    req = [{"ticket": "t"}, {"type": "orderbook", "codes": ["KRW-ADA"]}, {"format": "SIMPLE"}]
    frames = _ws_exchange(server.ws_url, req, 2)
    assert all(isinstance(f, bytes) for f in frames)
    first = json.loads(frames[0])
    assert first["ty"] == "orderbook" and first["st"] == "SNAPSHOT" and "ap" in first["obu"][0]
    req = [{"ticket": "t"}, {"type": "trade", "codes": ["KRW-ADA"]}, {"format": "DEFAULT"}]
    first = json.loads(_ws_exchange(server.ws_url, req, 1)[0])
    assert first["type"] == "trade" and first["stream_type"] == "SNAPSHOT" and "sequential_id" in first
    frames = _ws_exchange(server.ws_url, [{"ticket": "t"}, {"type": "trade", "codes": ["KRW-NOPE"]}], 1,
                          send_text="PING")
    assert json.loads(frames[0]) == {"status": "UP"}


def test_ws_errors(server):
    assert json.loads(_ws_exchange(server.ws_url, [{"type": "trade", "codes": ["KRW-ADA"]}], 1)[0]) \
        ["error"]["name"] == "NO_TICKET"
    assert json.loads(_ws_exchange(server.ws_url, [{"ticket": "t"}, {"type": "trade"}], 1)[0]) \
        ["error"]["name"] == "NO_CODES"
    assert json.loads(_ws_exchange(server.ws_url, "{not json", 1)[0])["error"]["name"] == "WRONG_FORMAT"
    priv = server.ws_url + "/private"
    out = json.loads(_ws_exchange(priv, [{"ticket": "t"}, {"type": "myAsset"}], 1,
                                  headers=token(secret="y" * 40))[0])
    assert out["error"]["name"] == "INVALID_AUTH"
    out = json.loads(_ws_exchange(priv, [{"ticket": "t"}, {"type": "myAsset", "codes": ["KRW-ADA"]}], 1,
                                  headers=token())[0])
    assert out["error"]["name"] == "WRONG_FORMAT"


@pytest.mark.parametrize("fresh_server", [{"faults": {"malformed_frame_rate": 1.0}}], indirect=True)
def test_malformed_frames_are_counted_not_fatal(fresh_server):
    import asyncio

    from components.types.upbit.ws import UpbitWs
    ws = UpbitWs(fresh_server.ws_url, {"orderbook": ["KRW-ADA"]}, "DEFAULT")

    async def go():
        async def pump():
            async for _ in ws.events():
                pass
        try:
            await asyncio.wait_for(pump(), 1.5)
        except asyncio.TimeoutError:
            pass
    asyncio.run(go())
    assert ws.stats.malformed >= 1


def test_candles_source_is_flagged_synthetic(shared_data):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    cfg = ServerConfig(port=0, source={"kind": "candles", "path": str(shared_data / "upbit"),
                                       "markets": ["KRW-BTC"], "speed": 600, "max_candles": 30, "loop": False})
    with RunningServer(cfg) as srv:
        deadline = time.monotonic() + 10
        while not srv.state.market.stats["KRW-BTC"].last_ts:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        t = httpx.get(srv.base_url + "/v1/trades/ticks", params={"market": "KRW-BTC"}).json()[0]
        assert t["scalp_source"] == {"kind": "candles", "synthetic": True}
        tk = httpx.get(srv.base_url + "/v1/ticker", params={"markets": "KRW-BTC"}).json()[0]
        assert tk["scalp_source"]["synthetic"] is True
        inst = httpx.get(srv.base_url + "/v1/orderbook/instruments", params={"markets": "KRW-BTC"}).json()[0]
        assert inst["tick_size"] == "1000"                        # KRW-BTC ticks in 1,000 KRW (§8.1)
