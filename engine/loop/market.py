"""Market data of the loop: prices, market-data metrics and each market's features (online or precomputed)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from components.types import metric_names as MN
from components.types.events import BOOK, CANDLE, TRADE
from engine.features import FeatureSet


class _Keys:
    """Metric names of one market, formatted once (not on every event)."""
    __slots__ = ("last_ts", "trade_px", "traded", "mid", "spread", "hurst")

    def __init__(self, m: str) -> None:
        per = MN.per_market
        self.last_ts, self.trade_px = per(MN.LAST_EVENT_TS_MS, m), per(MN.LAST_TRADE_PRICE, m)
        self.traded, self.mid = per(MN.TRADED_KRW, m), per(MN.BOOK_MID_PRICE, m)
        self.spread, self.hurst = per(MN.SPREAD_PCT, m), per(MN.HURST, m)


class MarketData:
    """Per market: last price, best bid/ask, spread, the published market-data metrics and the FeatureSet.

    `precompute(streams)` replaces the per-event feature updates of a replay by the batch rows of each
    stream (FeatureSet.batch is proven equal to the online updates feature by feature); the loop then reads
    row i after the market's i-th event. Events must arrive in stream order (checked by timestamp).
    """

    def __init__(self, markets: list[str], features_node: Any, metrics: Any) -> None:
        self.markets = markets
        self.metrics = metrics
        self.fsets = {m: FeatureSet.from_config(features_node) for m in markets}
        self.names: list[str] = next(iter(self.fsets.values())).names if self.fsets else []
        self.providers: dict = next(iter(self.fsets.values())).providers if self.fsets else {}
        self.last_px = {m: math.nan for m in markets}
        self.best_bid = {m: math.nan for m in markets}
        self.best_ask = {m: math.nan for m in markets}
        self.printed: set[str] = set()       # markets whose trades arrive too: their bars' value is counted already
        self.costs: Any = None                 # the loop's CostModel: it learns book spreads here
        self.keys = {m: _Keys(m) for m in markets}
        self.rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}   # m -> (X, ready, ts_ms)
        self.index = {m: -1 for m in markets}
        self._steps: dict[str, tuple[list, list]] = {}       # m -> (ts_ms, ready) of rows, as lists

    def column(self, capability: str) -> int:
        """Column of the first feature providing `capability` (-1 if none); same columns in every market."""
        fs = next(iter(self.fsets.values()), None)
        return fs.column(capability) if fs is not None else -1

    # ---- batch rows for a replay -----------------------------------------------------------------
    def precompute(self, streams: dict) -> None:
        for m in self.markets:
            s = streams.get(m)
            if s is None:
                continue
            X, _ = self.fsets[m].batch(s)
            self.rows[m] = (X, np.isfinite(X).all(axis=1), np.asarray(s.ts_ms, np.int64))
            # per-event reads from Python lists (a numpy scalar read costs more than the check it serves)
            self._steps[m] = (self.rows[m][2].tolist(), self.rows[m][1].tolist())

    # ---- per event -------------------------------------------------------------------------------
    def observe(self, m: str, ev: Any, k: int, ts: int) -> None:
        """Market-data metrics the kill switches read, and the prices exits/valuation use."""
        met, key = self.metrics, self.keys[m]
        met.set(key.last_ts, ts)
        if k == TRADE:
            self.printed.add(m)
            self.last_px[m] = ev.price
            met.set(key.trade_px, ev.price)
            met.inc(key.traded, ev.price * ev.volume)
        elif k == BOOK:
            b, a = float(ev.bid_px[0]), float(ev.ask_px[0])
            if b > 0 and a > 0 and a > b:
                mid = 0.5 * (a + b)
                self.best_bid[m], self.best_ask[m] = b, a
                self.last_px[m] = mid
                if self.costs is not None:
                    self.costs.observe_book(m, b, a)
                met.set(key.mid, mid)
                met.set(key.spread, 100.0 * (a - b) / mid)
        elif k == CANDLE:
            self.last_px[m] = ev.close
            if m not in self.printed:        # live bars are built from the very trades counted above
                value = ev.value_krw if math.isfinite(ev.value_krw) else ev.volume * ev.close
                met.inc(key.traded, value)

    def update(self, m: str, ev: Any, ts: int) -> None:
        """Advance the market's features by one event (or its precomputed row)."""
        steps = self._steps.get(m)
        if steps is None:
            self.fsets[m].update(ev)
            return
        i = self.index[m] + 1
        self.index[m] = i
        if i >= len(steps[0]) or steps[0][i] != ts:
            raise RuntimeError(f"precomputed features of {m} out of step with the replay at event {i} (ts {ts})")

    def ready(self, m: str) -> bool:
        steps = self._steps.get(m)
        return steps[1][self.index[m]] if steps is not None else self.fsets[m].ready()

    def vector(self, m: str) -> np.ndarray:
        rows = self.rows.get(m)
        return rows[0][self.index[m]] if rows is not None else self.fsets[m].vector()

    def row_index(self, m: str) -> int:
        """Index of the current precomputed row (-1 when features run online)."""
        return self.index[m] if m in self.rows else -1
