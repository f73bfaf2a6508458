"""Load one market's batches from a discovered directory, apply quality checks and the time window."""
from __future__ import annotations

import numpy as np

from components.types.feed import quality
from components.types.feed.loaders import load_books, load_candles, load_trades
from components.types.events import BookBatch, CandleBatch, TradeBatch
from components.types.stream import MarketStream


def _concat(batches: list, cls):
    if len(batches) == 1:
        return batches[0]
    fields = [f for f in cls.__dataclass_fields__ if f not in ("market", "interval_s")]
    return cls(batches[0].market, *(np.concatenate([getattr(b, f) for b in batches]) for f in fields))


def _clip(b, start_ms: int | None, end_ms: int | None):
    """Rows whose own stamp (candle: OPEN time) is in [start_ms, end_ms) — the store uses the same rule."""
    if b is None or (start_ms is None and end_ms is None):
        return b
    keep = np.ones(len(b), bool)
    if start_ms is not None:
        keep &= b.ts_ms >= start_ms
    if end_ms is not None:
        keep &= b.ts_ms < end_ms
    return b if keep.all() else b.take(np.nonzero(keep)[0])


def _candles(lay, market: str, p, report) -> CandleBatch | None:
    from components.feed.resample import resample
    path = lay.candles.get((market, p.candle_interval_s))
    if path is not None:
        return load_candles(path, market, p.candle_interval_s, on_bad_row=p.on_bad_row, report=report)
    shorter = [i for i in lay.intervals(market) if i < p.candle_interval_s and p.candle_interval_s % i == 0]
    if not shorter:
        return None
    base = max(shorter)
    b = load_candles(lay.candles[(market, base)], market, base, on_bad_row=p.on_bad_row, report=report)
    # Clean before resampling so duplicates/disorder cannot leak into the aggregated bars.
    b = quality.clean_candles(b, report, p.on_unsorted, str(lay.candles[(market, base)]), p.long_gap_s,
                              outlier_rule(p))
    return resample(b, p.candle_interval_s)


def outlier_rule(p) -> quality.OutlierRule | None:
    o = getattr(p, "outlier", None)
    return quality.OutlierRule(o.max_ratio, o.window) if o is not None else None


def load_market(lay, market: str, p, report, start_ms=None, end_ms=None, caps=None) -> MarketStream:
    kinds = set(p.kinds)
    rule = outlier_rule(p)
    c = t = b = None
    if "candle" in kinds:
        c = _candles(lay, market, p, report)
        if c is not None:
            c = quality.clean_candles(_clip(c, start_ms, end_ms), report, p.on_unsorted,
                                      f"candles {market}", p.long_gap_s, rule)
    if "trade" in kinds:
        if caps is not None:
            t = caps.trade_batch(market) if market in caps.trades else None
        elif market in lay.trades:
            t = _concat([load_trades(f, market, on_bad_row=p.on_bad_row, report=report)
                         for f in lay.trades[market]], TradeBatch)
        if t is not None:
            t = quality.clean_trades(_clip(t, start_ms, end_ms), report, p.on_unsorted, f"trades {market}",
                                     rule)
    if "book" in kinds:
        if caps is not None:
            b = caps.book_batch(market) if market in caps.books else None
        elif market in lay.books:
            b = _concat([load_books(f, market, on_bad_row=p.on_bad_row, report=report)
                         for f in lay.books[market]], BookBatch)
        if b is not None:
            b = quality.clean_books(_clip(b, start_ms, end_ms), report, p.on_unsorted, f"books {market}",
                                    rule)
    return MarketStream.build(market, c if c is not None and len(c) else None,
                              t if t is not None and len(t) else None, b if b is not None and len(b) else None)
