"""Fixtures for the simulated exchange tests: real books/trades from /work/shared/data, a fresh exchange."""
import pytest

from components.types.feed.loaders import load_books, load_trades
from components.types.events import BookSnapshot


@pytest.fixture(scope="session")
def btc_binance(shared_data):
    """Real Binance BTCUSDT trades + 15-level books (prices in USDT, tick 0.01)."""
    d = shared_data / "binance_spot"
    return load_trades(d / "trades_BTCUSDT.csv.gz", "KRW-BTC"), load_books(d / "orderbook_BTCUSDT.csv.gz", "KRW-BTC")


@pytest.fixture(scope="session")
def ada_upbit(shared_data):
    """Real Upbit KRW-ADA 2021 capture: trades + 15-level books (KRW)."""
    d = shared_data / "upbit" / "ticks_2021"
    return load_trades(d / "trades_KRW-ADA.csv.gz", "KRW-ADA"), load_books(d / "orderbook_KRW-ADA.csv.gz", "KRW-ADA")


@pytest.fixture
def make_ex():
    """Factory: SimExchange with balances and a zero-latency (or given) fill model."""
    from components.exchange.sim import SimExchange
    from components.fill_model.queue_conservative import QueueConservative

    def make(krw=10_000_000.0, coins=None, fill_model=None, **params):
        ex = SimExchange(SimExchange.Params(**params))
        fm = fill_model or QueueConservative(QueueConservative.Params(order_latency_ms=0))
        ex.bind(fill_model=fm, balances={"KRW": krw, **(coins or {})}, seed=1)
        return ex
    return make


@pytest.fixture
def upbit_book(ada_upbit) -> BookSnapshot:
    """The first real KRW-ADA snapshot (bid 1585 / ask 1590 at 2021-04-05)."""
    return ada_upbit[1].row(0)
