"""Per-market metrics published from real KRW-STX trades and books match direct computation."""
import numpy as np

from components.types.feed.loaders import load_books, load_candles, load_trades
from components.types.metric_names import (BOOK_MID_PRICE, LAST_EVENT_TS_MS, LAST_TRADE_PRICE, SPREAD_PCT,
                                           TRADED_KRW, per_market)
from components.types.metrics import Metrics
from components.types.stream import MarketStream
from engine.risk.market_metrics import MarketMetricsPublisher


def test_ticks(shared_data):
    d = shared_data / "upbit" / "ticks_2021"
    tr = load_trades(d / "trades_KRW-STX.csv.gz", "KRW-STX")
    bk = load_books(d / "orderbook_KRW-STX.csv.gz", "KRW-STX")
    stream = MarketStream.build("KRW-STX", trades=tr, books=bk)
    m, pub = Metrics(), MarketMetricsPublisher()
    for ev in stream.events():
        pub.publish(m, ev)
    key = lambda n: per_market(n, "KRW-STX")  # noqa: E731
    assert np.isclose(m.get(key(TRADED_KRW)), np.sum(tr.price * tr.volume), rtol=1e-12)
    assert m.get(key(LAST_EVENT_TS_MS)) == max(tr.ts_ms[-1], bk.ts_ms[-1])
    assert m.get(key(LAST_TRADE_PRICE)) == tr.price[-1]
    mid = (bk.bid_px[-1, 0] + bk.ask_px[-1, 0]) / 2
    assert m.get(key(BOOK_MID_PRICE)) == mid
    assert m.get(key(SPREAD_PCT)) == (bk.ask_px[-1, 0] - bk.bid_px[-1, 0]) / mid * 100


def test_candles(shared_data):
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-XRP.csv.gz", "KRW-XRP")
    c = c.take(np.arange(500))
    m, pub = Metrics(), MarketMetricsPublisher()
    for i in range(len(c)):
        pub.publish(m, c.row(i))
    value = np.where(np.isfinite(c.value_krw), c.value_krw, c.close * c.volume)
    assert np.isclose(m.get(per_market(TRADED_KRW, "KRW-XRP")), value.sum(), rtol=1e-12)
    assert m.get(per_market(LAST_EVENT_TS_MS, "KRW-XRP")) == c.ts_ms[-1] + 60_000
    assert np.isnan(m.get(per_market(SPREAD_PCT, "KRW-XRP")))
