"""Async Upbit REST client (httpx): every quotation and exchange endpoint of UPBIT_API.md §2-3."""
from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections import deque
from decimal import Decimal
from email.utils import parsedate_to_datetime

from pydantic import Field, SecretStr

from components.types.upbit import errors as E
from components.types.upbit.auth import encode_params, make_token
from components.types.upbit.limiter import RateLimiter
from registry import Params, register

CANDLE_MINUTES = (1, 3, 5, 10, 15, 30, 60, 240)
CLOCK_SAMPLES = 31          # replies behind the exchange clock offset (median: one slow reply cannot move it)


def num_str(x) -> str | None:
    """Numbers go to Upbit as plain decimal strings (no exponent, no float noise)."""
    if x is None or isinstance(x, str):
        return x
    d = Decimal(repr(float(x))) if isinstance(x, float) else Decimal(x)
    s = format(d.normalize(), "f")
    return s


def _clean(params: dict) -> dict:
    return {k: v for k, v in params.items() if v is not None}


@register("exchange", "upbit")
class UpbitRest:
    """Async REST client: JWT per request, per-group rate limits, typed errors, safe order creation."""

    class Params(Params):
        base_url: str = Field("https://api.upbit.com", description="REST host (a local exchange-server for tests)")
        timeout_ms: int = Field(5000, ge=100, description="per-request timeout")
        retries: int = Field(2, ge=0, le=5, description="bounded retries of reads (timeouts, 5xx, 429)")
        order_per_s: int = Field(12, ge=1, le=50, description="order-group rate (8/s before 2026-08-21)")
        jwt_algorithm: str = Field("HS512", pattern="^HS(256|512)$", description="JWT signing algorithm")
        access_key_env: str = Field("UPBIT_ACCESS_KEY", description="env var holding the access key")
        secret_key_env: str = Field("UPBIT_SECRET_KEY", description="env var holding the secret key")

    def __init__(self, p: "UpbitRest.Params", access_key: SecretStr | None = None,
                 secret_key: SecretStr | None = None, transport: "httpx.AsyncBaseTransport | None" = None) -> None:
        self.p = p
        # Keys only from the environment (or passed explicitly by tests); SecretStr keeps them out of reprs.
        self._access = access_key or SecretStr(os.environ.get(p.access_key_env, ""))
        self._secret = secret_key or SecretStr(os.environ.get(p.secret_key_env, ""))
        self.limiter = RateLimiter(order_per_s=p.order_per_s)
        self._transport = transport
        self._http = None
        self._clock_offsets_ms: deque = deque(maxlen=CLOCK_SAMPLES)   # exchange - local, from Date headers

    def __repr__(self) -> str:
        return f"UpbitRest(base_url={self.p.base_url!r})"

    async def __aenter__(self) -> "UpbitRest":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> "httpx.AsyncClient":
        import httpx  # lazy: `registry.load_all()` must stay cheap
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.p.base_url, timeout=self.p.timeout_ms / 1000,
                                           transport=self._transport)
        return self._http

    # ---- transport -------------------------------------------------------------------------
    async def _send(self, method: str, path: str, params: dict | None, group: str, private: bool):
        params = _clean(params or {})
        if self.limiter.is_blocked():
            raise E.Blocked("rate-limit block (418) still active; not sending", 418)
        await self.limiter.acquire(group)
        headers = {"Accept": "application/json"}
        body = None
        url = path
        if method in ("GET", "DELETE"):
            if params:
                url = f"{path}?{encode_params(params)}"
        else:
            params = {k: ([num_str(x) for x in v] if isinstance(v, list) else num_str(v)) for k, v in params.items()}
            body = json.dumps(params).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        if private:
            if not self._access.get_secret_value() or not self._secret.get_secret_value():
                raise E.AuthenticationError(f"set {self.p.access_key_env} / {self.p.secret_key_env}", 0,
                                            "no_keys")
            token = make_token(self._access.get_secret_value(), self._secret.get_secret_value(), params,
                               self.p.jwt_algorithm)
            headers["Authorization"] = f"Bearer {token}"
        resp = await self._client().request(method, url, content=body, headers=headers)
        self.limiter.observe(resp.headers.get("Remaining-Req"))
        # The last budget the server reported per group, for the monitor's upbit_remaining_req gauge; replaced
        # whole (never mutated) so another thread may read it while requests go on.
        from components.types.upbit.limiter import parse_remaining_req
        if (left := parse_remaining_req(resp.headers.get("Remaining-Req"))) is not None:
            self.remaining_req = {**getattr(self, "remaining_req", {}), left[0]: left[1]}
        return resp

    # ---- exchange clock (#15): offset from the Date header of every reply ---------------------
    def _observe_date(self, resp) -> None:
        """One offset sample: the reply's Date (whole seconds, so +0.5 s is its expected midpoint) minus the
        local clock halfway through the request (now minus half its elapsed time)."""
        date = resp.headers.get("Date")
        if not date:
            return
        received_s = time.time()
        try:
            sent_s = received_s - resp.elapsed.total_seconds()
        except (AttributeError, RuntimeError):      # a transport that does not time its replies
            sent_s = received_s
        try:
            server_s = parsedate_to_datetime(date).timestamp() + 0.5
        except (TypeError, ValueError, IndexError):
            return
        self._clock_offsets_ms.append((server_s - (sent_s + received_s) / 2.0) * 1000.0)

    @property
    def clock_offset_ms(self) -> float | None:
        """Exchange clock minus local clock, ms: the median of the last CLOCK_SAMPLES replies (None before any)."""
        xs = sorted(self._clock_offsets_ms)
        if not xs:
            return None
        n = len(xs)
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0

    async def _call(self, method: str, path: str, params: dict | None = None, group: str = "default",
                    private: bool = False, retry: bool = True):
        import httpx
        attempts = (self.p.retries + 1) if retry else 1
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                resp = await self._send(method, path, params, group, private)
            except httpx.TimeoutException:
                last = E.RequestTimeout(f"{method} {path} timed out after {self.p.timeout_ms} ms", 0)
                continue
            except httpx.TransportError as exc:
                last = E.ServerError(f"{method} {path}: {type(exc).__name__}", 0, "transport_error")
                continue
            self._observe_date(resp)            # the exchange clock (#15): every reply's Date header
            if resp.status_code < 400:
                try:
                    return resp.json()
                except ValueError:      # processed, but the answer is unreadable: never a refusal
                    raise E.MalformedResponse(f"{method} {path}: {resp.status_code} with a body that is not "
                                              f"JSON: {resp.text[:80]!r}", resp.status_code) from None
            try:
                payload = resp.json()
            except ValueError:
                payload = None  # 429 bodies may be plain text (§5.3)
            err = E.error_from_response(resp.status_code, payload, resp.text[:200])
            if resp.status_code == 418:
                retry_after = resp.headers.get("Retry-After")
                self.limiter.on_418(float(retry_after) if retry_after and retry_after.isdigit() else 60.0)
                raise err  # never continue into a block
            if resp.status_code == 429:
                pause = self.limiter.on_429(group)
                last = err
                if attempt + 1 < attempts:
                    await asyncio.sleep(min(pause, 2.0))
                continue
            if resp.status_code >= 500:
                last = err
                continue
            raise err
        assert last is not None
        raise last

    # ---- quotation (§2) --------------------------------------------------------------------
    async def markets(self, is_details: bool = False) -> list[dict]:
        return await self._call("GET", "/v1/market/all", {"is_details": "true" if is_details else "false"}, "market")

    async def candles(self, market: str, unit: str = "minutes", minutes: int = 1, count: int = 200,
                      to: str | None = None, converting_price_unit: str | None = None) -> list[dict]:
        if unit == "minutes":
            if minutes not in CANDLE_MINUTES:
                raise ValueError(f"minutes must be one of {CANDLE_MINUTES}")
            path = f"/v1/candles/minutes/{minutes}"
        elif unit in ("seconds", "days", "weeks", "months", "years"):
            path = f"/v1/candles/{unit}"
        else:
            raise ValueError(f"unknown candle unit {unit!r}")
        return await self._call("GET", path, {"market": market, "to": to, "count": count,
                                              "converting_price_unit": converting_price_unit}, "candle")

    async def trades_ticks(self, market: str, count: int = 100, to: str | None = None,
                           cursor: str | int | None = None, days_ago: int | None = None) -> list[dict]:
        return await self._call("GET", "/v1/trades/ticks", {"market": market, "to": to, "count": count,
                                                            "cursor": cursor, "days_ago": days_ago}, "trade")

    async def ticker(self, markets: list[str]) -> list[dict]:
        return await self._call("GET", "/v1/ticker", {"markets": ",".join(markets)}, "ticker")

    async def ticker_all(self, quote_currencies: list[str] = ("KRW",)) -> list[dict]:
        return await self._call("GET", "/v1/ticker/all", {"quote_currencies": ",".join(quote_currencies)}, "ticker")

    async def orderbook(self, markets: list[str], level: str | float | None = None,
                        count: int | None = None) -> list[dict]:
        return await self._call("GET", "/v1/orderbook", {"markets": ",".join(markets), "level": level,
                                                         "count": count}, "orderbook")

    async def orderbook_instruments(self, markets: list[str]) -> list[dict]:
        return await self._call("GET", "/v1/orderbook/instruments", {"markets": ",".join(markets)}, "orderbook")

    # ---- exchange (§3) ---------------------------------------------------------------------
    async def accounts(self) -> list[dict]:
        return await self._call("GET", "/v1/accounts", None, "default", True)

    async def order_chance(self, market: str) -> dict:
        return await self._call("GET", "/v1/orders/chance", {"market": market}, "default", True)

    async def get_order(self, uuid_: str | None = None, identifier: str | None = None) -> dict:
        if not (uuid_ or identifier):
            raise ValueError("get_order needs uuid or identifier")
        return await self._call("GET", "/v1/order", {"uuid": uuid_, "identifier": identifier}, "default", True)

    async def orders_uuids(self, uuids: list[str] | None = None, identifiers: list[str] | None = None,
                           market: str | None = None, order_by: str = "desc") -> list[dict]:
        return await self._call("GET", "/v1/orders/uuids", {"market": market, "uuids[]": uuids,
                                "identifiers[]": identifiers, "order_by": order_by}, "default", True)

    async def orders_open(self, market: str | None = None, states: list[str] | None = None, page: int = 1,
                          limit: int = 100, order_by: str = "desc") -> list[dict]:
        return await self._call("GET", "/v1/orders/open", {"market": market, "states[]": states, "page": page,
                                "limit": limit, "order_by": order_by}, "default", True)

    async def orders_closed(self, market: str | None = None, states: list[str] | None = None,
                            start_time: str | None = None, end_time: str | None = None, limit: int = 100,
                            order_by: str = "desc") -> list[dict]:
        return await self._call("GET", "/v1/orders/closed", {"market": market, "states[]": states,
                                "start_time": start_time, "end_time": end_time, "limit": limit,
                                "order_by": order_by}, "default", True)

    async def create_order(self, market: str, side: str, ord_type: str, volume=None, price=None,
                           identifier: str | None = None, time_in_force: str | None = None,
                           smp_type: str | None = None, test: bool = False) -> dict:
        """POST /v1/orders. A create whose outcome is unknown (timeout, 5xx, dropped connection, malformed 2xx,
        duplicated identifier) is never re-sent: it is looked up by its identifier; when that does not settle
        it, `OutcomeUnknown` (never a refusal) is raised."""
        identifier = identifier or f"scalp-{uuid.uuid4()}"
        body = {"market": market, "side": side, "ord_type": ord_type, "volume": num_str(volume),
                "price": num_str(price), "time_in_force": time_in_force, "smp_type": smp_type,
                "identifier": identifier}
        path, group = ("/v1/orders/test", "order-test") if test else ("/v1/orders", "order")
        try:
            return await self._call("POST", path, body, group, True, retry=False)
        except E.UpbitError as exc:
            if test or E.not_placed(exc):
                raise
            return await self._recover_create(identifier, exc)

    async def _recover_create(self, identifier: str, cause: Exception) -> dict:
        # The create may have reached the matching engine; sending it again could double the position. A 404
        # right after a lost answer proves nothing (the order may still be on its way): the caller decides
        # when "not found" means "never placed".
        for _ in range(self.p.retries + 1):
            try:
                return await self.get_order(identifier=identifier)
            except E.OrderNotFound:
                break
            except (E.RateLimited, E.Blocked):
                break                   # never push into a 429/418: the caller looks it up later
            except E.UpbitError:
                await asyncio.sleep(0.2)
        raise E.OutcomeUnknown(f"create {identifier}: outcome unknown after {cause}", 0) from cause

    async def cancel_order(self, uuid_: str | None = None, identifier: str | None = None) -> dict:
        if not (uuid_ or identifier):
            raise ValueError("cancel_order needs uuid or identifier")
        return await self._call("DELETE", "/v1/order", {"uuid": uuid_, "identifier": identifier}, "default", True)

    async def cancel_orders_uuids(self, uuids: list[str] | None = None,
                                  identifiers: list[str] | None = None) -> dict:
        return await self._call("DELETE", "/v1/orders/uuids", {"uuids[]": uuids, "identifiers[]": identifiers},
                                "default", True)

    async def cancel_open_orders(self, cancel_side: str = "all", pairs: list[str] | None = None,
                                 excluded_pairs: list[str] | None = None,
                                 quote_currencies: list[str] | None = None, count: int = 20,
                                 order_by: str = "desc") -> dict:
        csv = lambda xs: ",".join(xs) if xs else None  # noqa: E731
        return await self._call("DELETE", "/v1/orders/open", {"cancel_side": cancel_side, "pairs": csv(pairs),
                                "excluded_pairs": csv(excluded_pairs), "quote_currencies": csv(quote_currencies),
                                "count": count, "order_by": order_by}, "order-cancel-all", True)

    async def cancel_and_new(self, new_ord_type: str, prev_order_uuid: str | None = None,
                             prev_order_identifier: str | None = None, new_volume=None, new_price=None,
                             new_identifier: str | None = None, new_time_in_force: str | None = None,
                             new_smp_type: str | None = None) -> dict:
        """POST /v1/orders/cancel_and_new (§3.9): the previous order (still `wait`) plus `new_order_uuid` and
        `new_order_identifier`. `new_volume="remain_only"` reuses the previous order's remaining volume.
        Like a create it is never re-sent after a timeout: the new identifier is looked up instead.
        UNCONFIRMED: that `new_time_in_force="post_only"` is accepted here (the docs list the field, not its values)."""
        if not (prev_order_uuid or prev_order_identifier):
            raise ValueError("cancel_and_new needs prev_order_uuid or prev_order_identifier")
        new_identifier = new_identifier or f"scalp-{uuid.uuid4()}"
        body = {"prev_order_uuid": prev_order_uuid, "prev_order_identifier": prev_order_identifier,
                "new_ord_type": new_ord_type, "new_volume": num_str(new_volume), "new_price": num_str(new_price),
                "new_identifier": new_identifier,
                "new_time_in_force": new_time_in_force, "new_smp_type": new_smp_type}
        try:
            return await self._call("POST", "/v1/orders/cancel_and_new", body, "order", True, retry=False)
        except E.UpbitError as exc:
            if E.not_placed(exc):
                raise
            new = await self._recover_create(new_identifier, exc)
            prev = await self.get_order(uuid_=prev_order_uuid, identifier=prev_order_identifier)
            return dict(prev, new_order_uuid=new.get("uuid"), new_order_identifier=new.get("identifier"))
