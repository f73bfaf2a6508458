"""Deterministic merge of many markets' streams into one event sequence, optionally paced to real time."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping

import numpy as np

from components.types.stream import MarketStream


def merged_index(streams: Mapping[str, MarketStream]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(markets, market index, position in that market's stream) of every event in global order.

    Order: availability time ts_ms; ties -> event kind (CANDLE < TRADE < BOOK, as `merge_order`), then market
    code (sorted), then the position inside the market's own stream. The same inputs give the same order on
    every run and machine.
    """
    markets = sorted(streams)
    if not markets:
        return markets, np.zeros(0, np.int64), np.zeros(0, np.int64)
    ts = np.concatenate([streams[m].ts_ms for m in markets]).astype(np.int64, copy=False)
    kind = np.concatenate([streams[m].kind for m in markets]).astype(np.int64)
    mk = np.concatenate([np.full(len(streams[m]), i, np.int64) for i, m in enumerate(markets)])
    pos = np.concatenate([np.arange(len(streams[m]), dtype=np.int64) for m in markets])
    nm = len(markets)
    if len(ts) and kind.min() >= 0 and kind.max() < 3 and int(ts.max()) - int(ts.min()) < 2**62 // (3 * nm):
        # one int64 key (ts, kind, market) sorted stably: equal keys keep the concatenation's order, which is
        # the position in the stream; the same order as the lexsort below, an order of magnitude faster
        order = np.argsort(((ts - ts.min()) * 3 + kind) * nm + mk, kind="stable")
    else:
        order = np.lexsort((pos, mk, kind, ts))
    return markets, mk[order], pos[order]


def iter_merged(streams: Mapping[str, MarketStream], speed: float = 0.0,
                sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> Iterator:
    """Events (Trade | BookSnapshot | Candle) of all markets in merged order.

    speed 0: as fast as possible. speed > 0: event i is released when (ts_i - ts_0) / speed seconds of wall
    time have passed since the first event (speed 1 = real time, 60 = a minute per second).
    """
    markets, mk, pos = merged_index(streams)
    if len(mk) == 0:
        return
    objs = [streams[m] for m in markets]
    if speed <= 0:
        for i, p in zip(mk.tolist(), pos.tolist()):
            yield objs[i].event(p)
        return
    t0_data = int(objs[int(mk[0])].ts_ms[int(pos[0])])
    t0_wall = clock()
    for i, p in zip(mk.tolist(), pos.tolist()):
        due = (int(objs[i].ts_ms[p]) - t0_data) / 1000.0 / speed
        wait = due - (clock() - t0_wall)
        if wait > 0:
            sleep(wait)
        yield objs[i].event(p)
