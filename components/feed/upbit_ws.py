"""Live Upbit WebSocket feed: trade/orderbook(/ticker) events for the engine, reconnecting, gap-filled, deduped."""
from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import Field

from registry import Params, register


@register("feed", "upbit_ws")
class UpbitWsFeed:
    """Live market events from Upbit's public WebSocket (or a local exchange-server).

    After a reconnect, missed trades are fetched from REST /v1/trades/ticks (when `backfill`) and
    every trade passes a sequential_id deduper, so a dropped socket neither loses nor repeats trades
    that the REST window still holds."""

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
        stale_after_s: float = Field(60.0, gt=0, description="paper/live stop (exit 3) when no market data "
                                     "arrived for this long, seconds; the socket reconnects after half of it")

    def __init__(self, p: "UpbitWsFeed.Params") -> None:
        bad = set(p.types) - {"trade", "orderbook", "ticker"}
        if bad:
            raise ValueError(f"feed.types: unknown {sorted(bad)}; use trade, orderbook, ticker")
        if p.orderbook_levels not in (1, 5, 15, 30):
            raise ValueError("feed.orderbook_levels must be 1, 5, 15 or 30")
        self.p = p
        self.ws = None

    def provides(self, markets: list[str] | None = None) -> set[str]:
        """Event kinds this feed delivers (for link checks): trades and books as subscribed; no candles."""
        return {"trade", "book"} & {"book" if k == "orderbook" else k for k in self.p.types}

    def _types(self, markets: list[str]) -> dict[str, list[str]]:
        out = {}
        for t in self.p.types:
            codes = list(markets)
            if t == "orderbook" and self.p.orderbook_levels != 30:
                codes = [f"{m}.{self.p.orderbook_levels}" for m in markets]
            out[t] = codes
        return out

    async def events(self, markets: list[str]) -> AsyncIterator:
        """Trade / BookSnapshot events (and ticker dicts if subscribed) until `close()`."""
        import registry               # the REST client is another kind's component: built by the registry
        from components.types.upbit.ws import UpbitWs
        rest = None
        backfill = None
        if self.p.backfill and "trade" in self.p.types:
            rest = registry.build("exchange", {"component": "upbit", "base_url": self.p.rest_url},
                                  path="feed.rest_url")
            backfill = _backfiller(rest)
        self.ws = UpbitWs(self.p.url, self._types(markets), self.p.format, backoff_min_s=self.p.backoff_min_s,
                          backoff_max_s=self.p.backoff_max_s, ping_interval_s=self.p.ping_interval_s,
                          stale_after_s=self.p.stale_after_s / 2, backfill=backfill)
        try:
            async for ev in self.ws.events():
                yield ev
        finally:
            if rest is not None:
                await rest.close()

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
