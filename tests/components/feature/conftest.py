"""Real-data streams for feature tests (sliced to keep the suite fast) and the variants every test covers."""
from __future__ import annotations

import numpy as np
import pytest

import registry
from components.types.feed.loaders import load_books, load_candles, load_trades
from components.types.stream import MarketStream

N_CANDLES = 2500


@pytest.fixture(scope="session")
def candles(shared_data):
    """KRW-BTC 1m candles (first N_CANDLES rows of Sept 2025)."""
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    return c.take(np.arange(N_CANDLES))


@pytest.fixture(scope="session")
def candle_stream(candles):
    return MarketStream.build("KRW-BTC", candles=candles)


@pytest.fixture(scope="session")
def binance(shared_data):
    d = shared_data / "binance_spot"
    return load_trades(d / "trades_BTCUSDT.csv.gz", "BTCUSDT"), load_books(d / "orderbook_BTCUSDT.csv.gz", "BTCUSDT")


@pytest.fixture(scope="session")
def tick_stream(binance):
    """Binance BTCUSDT trades + 15-level books, ~26k merged events over 10.8 minutes."""
    trades, books = binance
    return MarketStream.build("BTCUSDT", trades=trades, books=books)


@pytest.fixture(scope="session")
def upbit_tick_stream(shared_data):
    """Upbit KRW-DAWN trades + books from the 2021 WebSocket capture (1 s trade stamps)."""
    d = shared_data / "upbit" / "ticks_2021"
    return MarketStream.build("KRW-DAWN", trades=load_trades(d / "trades_KRW-DAWN.csv.gz", "KRW-DAWN"),
                              books=load_books(d / "orderbook_KRW-DAWN.csv.gz", "KRW-DAWN"))


def variant_nodes() -> list[tuple[str, dict]]:
    """Every registered feature with its defaults, plus variants that take other code paths."""
    registry.load_all()
    nodes = [(n, {"component": n}) for n in registry.names("feature")]
    nodes += [
        ("rsi_14@trade_bars", {"component": "rsi_14", "bars_from": "trade", "bar_s": 2}),
        ("adx_14@trade_bars", {"component": "adx_14", "bars_from": "trade", "bar_s": 2, "window_bars": 5}),
        ("hurst@trade_bars", {"component": "hurst", "bars_from": "trade", "bar_s": 1, "window_bars": 40,
                              "max_lag": 10}),
        ("zscore@spread", {"component": "zscore", "inner": {"component": "spread_pct"}, "window": 50}),
        ("minmax@trend_gap", {"component": "minmax", "inner": {"component": "trend_regime"}, "output": "gap",
                              "window": 30}),
        ("zscore@roc_trade_bars", {"component": "zscore", "window": 20,
                                        "inner": {"component": "roc_1m", "bars_from": "trade", "bar_s": 5}}),
        ("ofi@5levels", {"component": "ofi", "levels": 5, "window_ms": 2000}),
        ("vpin@small_buckets", {"component": "vpin", "bucket_volume": 0.5, "n_buckets": 20}),
    ]
    return nodes


def pytest_generate_tests(metafunc):
    """`feature_case` (a config node) runs over every registered feature + variants: new ones are covered."""
    if "feature_case" in metafunc.fixturenames:
        cases = variant_nodes()
        metafunc.parametrize("feature_case", [n for _, n in cases], ids=[i for i, _ in cases])


@pytest.fixture(scope="session")
def stream_for(candle_stream, tick_stream):
    """Candle features run on candles; trade/book features on the Binance ticks."""
    return lambda f: tick_stream if f.needs & {"trade", "book"} else candle_stream
