"""Fixtures shared by the engine tests: a simulated exchange fed with the real 2021 KRW-DAWN books."""
import pytest

import registry
from components.types.feed.loaders import load_books, load_trades
from components.types.stream import MarketStream

DAWN = "KRW-DAWN"


@pytest.fixture()
def dawn_sim(bundled_data):
    """dawn_sim(balances) -> (sim exchange at its first book, that book event, all events of the stream)."""
    d = bundled_data / "upbit" / "ticks_2021"
    stream = MarketStream.build(DAWN, trades=load_trades(d / f"trades_{DAWN}.csv.gz", DAWN),
                                books=load_books(d / f"orderbook_{DAWN}.csv.gz", DAWN))

    def make(balances: dict):
        ex = registry.build("exchange", {"component": "sim"}, path="exchange")
        fm = registry.build("fill_model", {"component": "queue_conservative", "order_latency_ms": 0}, path="fill_model")
        ex.bind(fill_model=fm, balances=balances, seed=1)
        events = list(stream.events())
        book = next(e for e in events if e.kind == 2)
        ex.on_event(book)
        return ex, book, events
    return make
