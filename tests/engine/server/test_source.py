"""Server market-data sources: replay loop keeps ids increasing; candles expand into flagged synthetic trades."""
import asyncio

import numpy as np
import pytest

from components.types.events import Trade
from engine.server.source import Loaded, Replayer, candles_to_events


def test_loop_shifts_time_and_sequential_ids(shared_data):
    from components.types.feed.loaders import load_trades
    tb = load_trades(shared_data / "upbit/ticks_2021/trades_KRW-ADA.csv.gz", "KRW-ADA")
    evs = [tb.row(i) for i in range(min(40, len(tb)))]
    rp = Replayer(Loaded(evs, ["KRW-ADA"], False, {}), speed=1e6, loop=True)
    seen: list[Trade] = []

    async def go():
        async def on(ev):
            seen.append(ev)
            if len(seen) >= 3 * len(evs):
                raise asyncio.CancelledError
        try:
            await rp.run(on)
        except asyncio.CancelledError:
            pass
    asyncio.run(go())
    seqs = [t.seq for t in seen]
    assert len(set(seqs)) == len(seqs)                       # unique across passes
    assert all(b > a for a, b in zip(seqs[len(evs) - 1::len(evs)], seqs[len(evs)::len(evs)]))
    assert seen[len(evs)].ts_ms > seen[len(evs) - 1].ts_ms and seen[len(evs)].price == evs[0].price


def test_candles_expand_into_trades_keeping_ohlc_and_volume(shared_data):
    from components.types.feed.loaders import load_candles
    b = load_candles(shared_data / "upbit/candles_1m/KRW-BTC.csv.gz", "KRW-BTC")
    b = b.take(np.arange(100))
    trades, books = candles_to_events(b, lambda px: 1000.0)
    assert len(trades) == 4 * len(b) == len(books)
    for i in range(len(b)):
        chunk = trades[4 * i: 4 * i + 4]
        prices = [t.price for t in chunk]
        assert prices[0] == b.open[i] and prices[-1] == b.close[i]
        assert max(prices) == b.high[i] and min(prices) == b.low[i]
        assert sum(t.volume for t in chunk) == pytest.approx(b.volume[i])
        assert all(b.ts_ms[i] <= t.ts_ms < b.ts_ms[i] + 60_000 for t in chunk)
    assert all(bk.bid_px[0] < bk.ask_px[0] for bk in books)
