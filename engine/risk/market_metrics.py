"""Publish the per-market metrics kill switches read, straight from market events (one call per event)."""
from __future__ import annotations

from components.types.events import BOOK, CANDLE, TRADE
from components.types.metric_names import (BOOK_MID_PRICE, LAST_EVENT_TS_MS, LAST_TRADE_PRICE, SPREAD_PCT,
                                           TRADED_KRW, per_market)
from components.types.metrics import Metrics


class MarketMetricsPublisher:
    """`publish(metrics, event)` keeps spread_pct, traded_krw (cumulative), last_event_ts_ms, last_trade_price
    and book_mid_price current for the event's market. Candles count their traded value (value_krw, else
    close x volume) and their close as the last price, stamped at the bar's close (when it is known)."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, ...]] = {}

    def _k(self, market: str) -> tuple[str, ...]:
        keys = self._keys.get(market)
        if keys is None:
            keys = tuple(per_market(n, market) for n in (SPREAD_PCT, TRADED_KRW, LAST_EVENT_TS_MS,
                                                         LAST_TRADE_PRICE, BOOK_MID_PRICE))
            self._keys[market] = keys
        return keys

    def publish(self, metrics: Metrics, event) -> None:
        spread_k, traded_k, ts_k, trade_k, mid_k = self._k(event.market)
        kind = event.kind
        if kind == TRADE:
            metrics.inc(traded_k, event.price * event.volume)
            metrics.set(trade_k, event.price)
            metrics.set(ts_k, event.ts_ms)
        elif kind == BOOK:
            bid, ask = float(event.bid_px[0]), float(event.ask_px[0])
            mid = 0.5 * (bid + ask)
            if mid > 0:
                metrics.set(mid_k, mid)
                metrics.set(spread_k, (ask - bid) / mid * 100.0)
            metrics.set(ts_k, event.ts_ms)
        elif kind == CANDLE:
            value = event.value_krw if event.value_krw == event.value_krw else event.close * event.volume
            metrics.inc(traded_k, value)
            metrics.set(trade_k, event.close)
            metrics.set(ts_k, event.close_ms)
