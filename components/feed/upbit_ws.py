"""Live Upbit WebSocket feed: trade/orderbook(/ticker) events and bars built from trades, reconnecting, deduped."""
from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import Field, field_validator

from registry import Params, register


@register("feed", "upbit_ws")
class UpbitWsFeed:
    """Live market events from Upbit's public WebSocket (or a local exchange-server).

    After a reconnect, missed trades are fetched from REST /v1/trades/ticks (when `backfill`) and
    every trade passes a sequential_id deduper, so a dropped socket neither loses nor repeats trades
    that the REST window still holds. With `bars_s`, bars are built from the trades (the recorded candles'
    rule, components/types/bars.py) after `warmup_bars` REST candles per market, so candle features are warm
    when live data starts."""

    class Params(Params):
        url: str = Field("wss://api.upbit.com/websocket/v1", description="public WebSocket URL")
        rest_url: str = Field("https://api.upbit.com", description="REST host for gap backfill")
        format: str = Field("SIMPLE", pattern="^(DEFAULT|SIMPLE|JSON_LIST|SIMPLE_LIST)$",
                            description="wire format (parsed into the same events either way)")
        types: list[str] = Field(default_factory=lambda: ["trade", "orderbook"],
                                 description="subset of trade, orderbook, ticker")
        orderbook_levels: int = Field(30, description="orderbook depth: 1, 5, 15 or 30")
        backfill: bool = Field(True, description="fetch missed trades over REST after a reconnect")
        backoff_min_s: float = Field(1.0, gt=0, description="first reconnect delay")
        backoff_max_s: float = Field(60.0, gt=0, description="reconnect delay cap (exponential)")
        ping_interval_s: float = Field(30.0, gt=0, lt=120, description="text PING cadence (< 120 s idle cut)")
        bars_s: list[int] = Field(default_factory=lambda: [60],
                                  description="bar length(s) built from trades, seconds ([] = no candles); "
                                              "candle features read every bar, so one interval per session")
        bar_grace_ms: int = Field(2000, ge=0, description="a quiet market's bar closes this long after its end")
        warmup_bars: int = Field(500, ge=0, description="REST candles per market delivered before live data "
                                                        "(features warm up; nothing is decided on them)")
        stale_after_s: float = Field(60.0, gt=0, description="paper/live stop (exit 3) when no market data "
                                     "arrived for this long, seconds; the socket reconnects after half of it")

        @field_validator("bars_s")
        @classmethod
        def _one_interval(cls, v: list[int]) -> list[int]:
            if len(set(v)) > 1:
                raise ValueError(f"one bar interval (candle features read every bar), got {v}")
            if any(s < 1 for s in v):
                raise ValueError("bar lengths are seconds >= 1")
            return v

    def __init__(self, p: "UpbitWsFeed.Params") -> None:
        bad = set(p.types) - {"trade", "orderbook", "ticker"}
        if bad:
            raise ValueError(f"feed.types: unknown {sorted(bad)}; use trade, orderbook, ticker")
        if p.orderbook_levels not in (1, 5, 15, 30):
            raise ValueError("feed.orderbook_levels must be 1, 5, 15 or 30")
        self.p = p
        self.ws = None
        self.builders: list = []
        from components.types.upbit.market_state import StatusWatch
        self.states = StatusWatch()

    def provides(self, markets: list[str] | None = None) -> set[str]:
        """Event kinds this feed delivers (for link checks): trades and books as subscribed, candles when it
        builds bars from the trades."""
        kinds = {"trade", "book"} & {"book" if k == "orderbook" else k for k in self.p.types}
        return kinds | {"candle"} if self.p.bars_s and "trade" in kinds else kinds

    def _types(self, markets: list[str]) -> dict[str, list[str]]:
        out = {}
        for t in self.p.types:
            codes = list(markets)
            if t == "orderbook" and self.p.orderbook_levels != 30:
                codes = [f"{m}.{self.p.orderbook_levels}" for m in markets]
            out[t] = codes
        return out

    async def events(self, markets: list[str]) -> AsyncIterator:
        """Warm-up candles, then Trade / BookSnapshot / Candle events (and ticker dicts if subscribed) until
        `close()`. With tickers, a MarketStatus (components/types/upbit/market_state.py) precedes the ticker whenever
        the market's trading state (market_state, delisting_date, is_trading_suspended) changes."""
        import registry               # the REST client is another kind's component: built by the registry
        from components.feed.live_bars import Prefetch, warm_up, with_bars
        from components.types.bars import BarBuilder
        from components.types.upbit.ws import UpbitWs
        rest = None
        backfill = None
        self.builders = [BarBuilder(s, self.p.bar_grace_ms) for s in self.p.bars_s] \
            if "candle" in self.provides() else []
        if (self.p.backfill or self.p.warmup_bars) and "trade" in self.p.types:
            rest = registry.build("exchange", {"component": "upbit", "base_url": self.p.rest_url},
                                  path="feed.rest_url")
            backfill = _backfiller(rest) if self.p.backfill else None
        self.ws = UpbitWs(self.p.url, self._types(markets), self.p.format, backoff_min_s=self.p.backoff_min_s,
                          backoff_max_s=self.p.backoff_max_s, ping_interval_s=self.p.ping_interval_s,
                          stale_after_s=self.p.stale_after_s / 2, backfill=backfill)
        source, early = self.ws.events(), None
        try:
            if self.builders and self.p.warmup_bars:
                source = early = Prefetch(source)    # subscribed now: trades during the REST warm-up are kept
                for c in await self._warm_up(rest, list(markets), warm_up):
                    yield c
            if self.builders:
                source = with_bars(source, self.builders)
            async for ev in source:
                if isinstance(ev, dict) and ev.get("type") == "ticker":
                    status = self.states.see(ev)     # malformed state fields: logged there, never raised
                    if status is not None:
                        yield status
                yield ev
        finally:
            if early is not None:
                await early.aclose()
            if rest is not None:
                await rest.close()

    async def _warm_up(self, rest, markets: list[str], warm_up) -> list:
        """REST history; a failure is logged (features then warm up from live bars, later) but not fatal."""
        import asyncio
        import json
        import logging
        try:     # bounded: an unreachable REST host must not hold the session past the feed's silence watch
            return await asyncio.wait_for(warm_up(rest, markets, self.builders, self.p.warmup_bars),
                                          self.p.stale_after_s / 2)
        except Exception as e:  # noqa: BLE001  any REST/parse failure or the time limit: live bars still come
            logging.getLogger("scalp.feed").warning(json.dumps(
                {"event": "feed_warmup_failed", "url": self.p.rest_url, "error": repr(e)}))
            return []

    async def resubscribe(self, markets: list[str]) -> None:
        """Trade/book/ticker of `markets` from now on, on the same socket (the universe's day boundary)."""
        if self.ws is not None:
            await self.ws.resubscribe(self._types(list(markets)))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    @property
    def stats(self):
        return self.ws.stats if self.ws is not None else None


def _backfiller(rest):
    from components.types.upbit.messages import parse_message

    async def fetch(market: str, after_sid: int) -> list:
        """Newest-first pages of /v1/trades/ticks until we reach `after_sid` (bounded to 5 pages)."""
        out, cursor = [], None
        for _ in range(5):
            rows = await rest.trades_ticks(market, count=500, cursor=cursor)
            if not rows:
                break
            trades = [parse_message(r) for r in rows]
            out.extend(t for t in trades if t.seq > after_sid)
            if min(t.seq for t in trades) <= after_sid:
                break
            cursor = min(t.seq for t in trades)
        return out
    return fetch
