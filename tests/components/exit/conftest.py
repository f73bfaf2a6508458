"""Positions built from real fills on real KRW-BTC 1-minute bars (partial fills, both fees)."""
import pytest

from components.types.feed.loaders import load_candles
from components.types.costs import UPBIT_FEE_RATE as FEE_RATE_KRW
from components.types.orders import Fill, Position


def _buy(position: Position, price: float, krw: float, ts_ms: int, n_parts: int = 3) -> Position:
    """Book a buy of `krw` notional as `n_parts` partial fills at slightly different prices."""
    for i in range(n_parts):
        px = price * (1 + 0.0001 * i)
        vol = krw / n_parts / px
        position.apply(Fill(position.market, "o1", "bid", px, vol, px * vol * FEE_RATE_KRW, ts_ms + i))
    return position


def _price_for_return(position: Position, r: float) -> float:
    """Sell price at which the whole position nets exactly r after the sell fee (buy fee is in cost)."""
    return (1 + r) * position.cost_krw / (position.volume * (1 - FEE_RATE_KRW))


@pytest.fixture(scope="session")
def btc(shared_data):
    return load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")


@pytest.fixture
def position(btc):
    return _buy(Position("KRW-BTC"), float(btc.close[0]), 100_000.0, int(btc.ts_ms[0]) + 60_000)


@pytest.fixture
def buy():
    return _buy


@pytest.fixture
def price_for_return():
    return _price_for_return
