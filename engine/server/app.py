"""The server's HTTP side: Upbit REST paths, status codes, error bodies, JWT checks, Remaining-Req, faults."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import random
import time
from email.utils import formatdate

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from components.types.upbit import errors as E
from components.types.upbit.auth import AuthError, verify_token
from engine.server import quotation
from engine.server.accounts import Account
from engine.server.config import ServerConfig
from engine.server.guard import ServerLimiter, collect_params
from engine.server.hub import Hub
from engine.server.market import MarketState
from engine.server.source import Replayer, load_source


def _json(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, headers=headers,
                    media_type="application/json; charset=utf-8")


class _Dropped(Response):
    """Headers and half the body, then the connection is closed: the order was processed, the answer is lost."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})
        # returning without the last body part makes the server close the connection


def date_header(state: "ServerState") -> str:
    """HTTP `Date` of a reply (the only server clock Upbit exposes, UPBIT_API.md §1), skewed by the fault knob."""
    return formatdate(time.time() + state.cfg.faults.date_skew_s, usegmt=True)


def error_body(name, message: str) -> dict:
    return {"error": {"name": name, "message": message}}


class ServerState:
    """Everything one server instance holds: market state, accounts, nonces, limiter, hub, replayer."""

    def __init__(self, cfg: ServerConfig) -> None:
        from registry import build
        self.cfg = cfg
        loaded = load_source(cfg.source)
        self.market = MarketState(cfg.source.kind, loaded.synthetic, loaded.markets, loaded.names,
                                  cfg.source.history_trades)
        self.replayer = Replayer(loaded, cfg.source.speed, cfg.source.loop, cfg.source.max_gap_s,
                                 cfg.source.prefill_s)
        self.accounts: dict[str, Account] = {}
        self.secrets: dict[str, str] = {}
        for i, acc in enumerate(cfg.key_pairs()):
            ex = build("exchange", cfg.exchange, path="server.exchange")
            fm = build("fill_model", cfg.fill_model, path="server.fill_model")
            ex.bind(fill_model=fm, balances=dict(acc.balances), seed=cfg.faults.seed + i)
            self.accounts[acc.access_key] = Account(acc.access_key, ex)
            self.secrets[acc.access_key] = acc.secret_key.get_secret_value()
        self.nonces: set[tuple[str, str]] = set()
        self.limiter = ServerLimiter(cfg.rate_limits, cfg.block_after_429s, cfg.block_s)
        self.hub = Hub(self)
        self.rng = random.Random(cfg.faults.seed)
        self.order_rng = random.Random(cfg.faults.seed + 1)    # order-call faults: their own deterministic draws
        self.poll_418: dict[str, int] = {}                     # account -> GET /v1/order replies still to 418
        self.injected: dict[str, int] = {}                     # order-call fault -> times injected
        self.events_applied = 0
        # Market flags, mutable while the server runs (tests flag a market mid-session).
        self.warned: set[str] = set(cfg.market_warnings)
        self.suspended: set[str] = set(cfg.suspended_markets)
        self.delisted: set[str] = set(cfg.delisted_markets)
        self.cautions: dict[str, set[str]] = {m: set(ks) for m, ks in cfg.market_cautions.items()}
        self.market.cautions = self.cautions
        self.market.warned, self.market.suspended, self.market.delisted = self.warned, self.suspended, self.delisted
        for a in self.accounts.values():
            a.poll(0)

    def on_event(self, ev) -> None:
        """One replayed event: market state, every account's matching, public and private streams."""
        scale = self.cfg.faults.book_size_scale
        if scale != 1.0 and ev.kind == 2:     # the thin-book knob: what matching and the public book both see
            ev = dataclasses.replace(ev, bid_sz=ev.bid_sz * scale, ask_sz=ev.ask_sz * scale)
        self.market.apply(ev)
        self.events_applied += 1
        for acc in self.accounts.values():
            acc.ex.on_event(ev)
        kind = "trade" if ev.kind == 1 else ("orderbook" if ev.kind == 2 else None)
        if kind == "trade":
            self.hub.publish("trade", ev.market, self.market.trade_msg(ev))
            msg = self.market.ticker_msg(ev.market)
            if msg:
                self.hub.publish("ticker", ev.market, msg)
        elif kind == "orderbook":
            for s in list(self.hub.sessions):
                sub = s.subs.get("orderbook")
                if sub and (sub["codes"] is None or ev.market in sub["codes"]):
                    msg = self.market.book_msg(ev.market, "REALTIME", sub["levels"])
                    if msg:
                        s.put(msg)
        self.flush_private()

    def create_fault(self, key: str) -> str:
        """Which answer fault a processed create gets ('' = none); arms the follow-up 418 (deterministic)."""
        f, rng = self.cfg.faults, self.order_rng
        if f.poll_418_after_create_rate and rng.random() < f.poll_418_after_create_rate:
            self.poll_418[key] = self.poll_418.get(key, 0) + 1
        for name, rate in (("malformed", f.create_malformed_rate), ("drop", f.create_drop_rate),
                           ("hang", f.create_hang_rate if f.create_hang_ms else 0.0)):
            if rate and rng.random() < rate:
                self.injected[name] = self.injected.get(name, 0) + 1
                return name
        return ""

    def flush_private(self) -> None:
        for key, acc in self.accounts.items():
            for msg in acc.poll(self.market.now_ms):
                self.hub.publish(msg["type"], msg.get("code"), msg, account=key)


def _handler(state: ServerState, group: str, private: bool, fn):
    async def endpoint(request: Request) -> Response:
        faults = state.cfg.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        body = await request.body()
        params, candidates = collect_params(request.url.query, body, request.headers.get("content-type", ""))
        client = request.client.host if request.client else "local"
        key = client
        if private:
            try:
                claims = verify_token(request.headers.get("authorization"), state.secrets, state.nonces, candidates)
            except AuthError as exc:
                return _json(error_body(exc.name, exc.message), 401, {"Date": date_header(state)})
            key = claims["access_key"]
        status, left, block_left = state.limiter.check(key, group)
        headers = {"Remaining-Req": state.limiter.header(group, left), "Date": date_header(state)}
        if status == 418:
            headers["Retry-After"] = str(int(block_left) + 1)
            return _json(error_body("too_many_requests_blocked", f"blocked for {int(block_left) + 1} s"), 418, headers)
        if status == 429 or (faults.storm_429_rate and state.rng.random() < faults.storm_429_rate):
            return _json(error_body("too_many_requests", "Too many API requests."), 429, headers)
        if faults.error_5xx_rate and state.rng.random() < faults.error_5xx_rate:
            return _json(error_body("server_error", "injected 5xx"), 500, headers)
        if state.poll_418.get(key) and request.method == "GET" and request.url.path == "/v1/order":
            state.poll_418[key] -= 1
            state.injected["poll_418"] = state.injected.get("poll_418", 0) + 1
            headers["Retry-After"] = str(max(1, int(faults.poll_418_block_s)))
            return _json(error_body("too_many_requests_blocked", "injected 418 after a create"), 418, headers)
        if request.method == "POST" and request.url.path in ("/v1/orders", "/v1/orders/test") \
                and (params.get("market") in state.suspended or params.get("market") in state.delisted):
            return _json(error_body("market_offline", "trading is suspended on this market"), 400, headers)
        try:
            if private:
                result = fn(state, state.accounts[key], params, request)
            else:
                result = fn(state, params, request)
        except E.UpbitError as exc:
            return _json(error_body(exc.error_name, exc.message), exc.status or 400, headers)
        except quotation.QuotationError as exc:
            return _json(error_body(exc.status, exc.message), exc.status, headers)
        if faults.history_malformed_rate and group in ("candle", "trade") \
                and state.rng.random() < faults.history_malformed_rate:
            text = json.dumps(result, ensure_ascii=False)
            return Response(text[: len(text) // 2], status_code=200, headers=headers,
                            media_type="application/json; charset=utf-8")
        create = request.method == "POST" and request.url.path == "/v1/orders"
        code = 201 if create else 200
        if private:
            state.flush_private()
        fault = state.create_fault(key) if create else ""
        if fault == "hang":
            await asyncio.sleep(faults.create_hang_ms / 1000)
        elif fault == "malformed":
            text = json.dumps(result, ensure_ascii=False)
            return Response(text[: len(text) // 2], status_code=code, headers=headers,
                            media_type="application/json; charset=utf-8")
        elif fault == "drop":
            return _Dropped(json.dumps(result, ensure_ascii=False), status_code=code, headers=headers,
                            media_type="application/json; charset=utf-8")
        return _json(result, code, headers)
    return endpoint


def _now(state: ServerState) -> int:
    return state.market.now_ms


PRIVATE = [
    ("GET", "/v1/accounts", "default", lambda s, a, p, r: a.ex.accounts()),
    ("GET", "/v1/orders/chance", "default", lambda s, a, p, r: a.ex.chance(quotation.need(p, "market"))),
    ("POST", "/v1/orders", "order", lambda s, a, p, r: a.create(p, _now(s))),
    ("POST", "/v1/orders/test", "order-test", lambda s, a, p, r: a.create(p, _now(s), test=True)),
    ("GET", "/v1/order", "default", lambda s, a, p, r: a.get(p)),
    ("DELETE", "/v1/order", "default", lambda s, a, p, r: a.cancel(p, _now(s))),
    ("GET", "/v1/orders/uuids", "default", lambda s, a, p, r: a.by_ids(p)),
    ("DELETE", "/v1/orders/uuids", "default", lambda s, a, p, r: a.cancel_by_ids(p, _now(s))),
    ("GET", "/v1/orders/open", "default", lambda s, a, p, r: a.open_orders(p)),
    ("DELETE", "/v1/orders/open", "order-cancel-all", lambda s, a, p, r: a.cancel_open(p, _now(s))),
    ("GET", "/v1/orders/closed", "default", lambda s, a, p, r: a.closed_orders(p)),
    ("GET", "/v1/orders", "default", lambda s, a, p, r: a.closed_orders(p) if p.get("state") in ("done", "cancel")
     else a.open_orders(p)),  # legacy list, deprecated 2024-06-27; pyupbit still calls it
    ("POST", "/v1/orders/cancel_and_new", "order", lambda s, a, p, r: a.cancel_and_new(p, _now(s))),
]


def build_app(cfg: ServerConfig) -> tuple[Starlette, ServerState]:
    state = ServerState(cfg)
    routes = [Route(path, _handler(state, group, False, fn), methods=["GET"]) for path, group, fn in quotation.ROUTES]
    by_path: dict[str, dict] = {}
    for method, path, group, fn in PRIVATE:
        by_path.setdefault(path, {})[method] = _handler(state, group, True, fn)
    for path, methods in by_path.items():
        async def dispatch(request: Request, methods=methods) -> Response:
            return await methods[request.method](request)
        routes.append(Route(path, dispatch, methods=list(methods)))
    routes.append(WebSocketRoute("/websocket/v1", lambda ws: state.hub.serve(ws, private=False)))
    routes.append(WebSocketRoute("/websocket/v1/private", lambda ws: state.hub.serve(ws, private=True)))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(state.replayer.run(state.on_event))
        try:
            yield
        finally:
            task.cancel()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.server = state
    return app, state
