"""Aggregate candles to a longer interval (e.g. 1m -> 5m), bucketed by UTC open time."""
from __future__ import annotations

import numpy as np

from components.types.events import CandleBatch


def resample(b: CandleBatch, interval_s: int) -> CandleBatch:
    """OHLCV of every `interval_s` bucket that has at least one source bar (no bar for an empty bucket, like
    Upbit). value_krw sums the known values; NaN if none was known. The last bucket may be partial when the
    data ends inside it: it is still stamped with the full interval (its close time is when it would be known)."""
    if interval_s == b.interval_s:
        return b
    if interval_s % b.interval_s:
        raise ValueError(f"cannot resample {b.interval_s}s candles to {interval_s}s (not a multiple)")
    if len(b) == 0:
        return CandleBatch(b.market, b.ts_ms[:0], *(np.zeros(0),) * 6, interval_s=interval_s)
    step = interval_s * 1000
    bucket = (b.ts_ms // step) * step
    starts = np.r_[0, np.nonzero(np.diff(bucket))[0] + 1]
    ends = np.r_[starts[1:], len(b)]
    known = np.where(np.isnan(b.value_krw), 0.0, b.value_krw)
    any_known = np.add.reduceat((~np.isnan(b.value_krw)).astype(np.int64), starts) > 0
    value = np.where(any_known, np.add.reduceat(known, starts), np.nan)
    return CandleBatch(b.market, bucket[starts], b.open[starts], np.maximum.reduceat(b.high, starts),
                       np.minimum.reduceat(b.low, starts), b.close[ends - 1], np.add.reduceat(b.volume, starts),
                       value, interval_s=interval_s)
