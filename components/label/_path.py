"""Price paths after a decision (candles or trades) and the barrier/forward-return kernels (ms, fractions)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(slots=True)
class PricePath:
    """Price elements in time order: bars (open/high/low/close over [first_ms, known_ms)) or trades.

    `strict` is the number of ms an element must start after the decision: for trades 1 (a print at
    the decision instant is not "after" it), for bars 0 (a bar opening at the decision time, i.e. at
    the previous bar's close, holds only later prices).
    """
    first_ms: np.ndarray
    known_ms: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    last: np.ndarray
    strict: int


def price_path(stream, prefer: str = "trade") -> PricePath:
    """Trades when the stream has them (finer), else candles."""
    tr, cd = stream.trades, stream.candles
    if prefer == "trade" and tr is not None and len(tr):
        ts = np.asarray(tr.ts_ms, np.int64)
        px = np.asarray(tr.price, np.float64)
        return PricePath(ts, ts, px, px, px, px, 1)
    if cd is None or not len(cd):
        raise ValueError(f"{stream.market}: no candles or trades to label")
    first = np.asarray(cd.ts_ms, np.int64)
    return PricePath(first, first + cd.interval_s * 1000, cd.open, cd.high, cd.low, cd.close, 0)


def entry_prices(path: PricePath, t_ms: np.ndarray) -> np.ndarray:
    """Last price known at each decision time (NaN before the first element)."""
    j = np.searchsorted(path.known_ms, t_ms, side="right") - 1
    out = np.full(len(t_ms), np.nan)
    ok = j >= 0
    out[ok] = path.last[j[ok]]
    return out


def first_after(path: PricePath, t_ms: np.ndarray) -> np.ndarray:
    return np.searchsorted(path.first_ms, np.asarray(t_ms, np.int64) + path.strict, side="left")


@njit(cache=True)
def barrier_kernel(first_j, t_ms, entry, known_ms, opn, high, low, last, up, down, horizon_ms):
    """First touch of entry*(1+up) or entry*(1-down) within (t, t+h]; a bar touching both counts as the stop.

    Returns y (1 up, 0 stop or time-out, -1 time-out, NaN unknown), end_ms, realised price return of a
    trade that exits at the touched barrier (gap through the stop -> the bar's open) or at time-out.
    """
    n = t_ms.shape[0]
    m = known_ms.shape[0]
    y = np.full(n, np.nan)
    end = np.zeros(n, np.int64)
    ret = np.full(n, np.nan)
    for i in range(n):
        e = entry[i]
        if not np.isfinite(e) or e <= 0:
            continue
        up_px = e * (1.0 + up)
        dn_px = e * (1.0 - down)
        t_end = t_ms[i] + horizon_ms
        j = first_j[i]
        lastpx = np.nan
        while j < m and known_ms[j] <= t_end:
            if low[j] <= dn_px:
                y[i] = 0.0
                end[i] = known_ms[j]
                ret[i] = min(dn_px, opn[j]) / e - 1.0
                break
            if high[j] >= up_px:
                y[i] = 1.0
                end[i] = known_ms[j]
                ret[i] = up
                break
            lastpx = last[j]
            j += 1
        if np.isnan(y[i]) and m > 0 and known_ms[m - 1] >= t_end:
            y[i] = -1.0                                  # time barrier
            end[i] = t_end
            ret[i] = (lastpx / e - 1.0) if np.isfinite(lastpx) else 0.0
    return y, end, ret


def barrier_reference(first_j, t_ms, entry, known_ms, opn, high, low, last, up, down, horizon_ms):
    """Plain-Python twin of `barrier_kernel` for the reference test."""
    n, m = len(t_ms), len(known_ms)
    y, end, ret = np.full(n, np.nan), np.zeros(n, np.int64), np.full(n, np.nan)
    for i in range(n):
        e = entry[i]
        if not (np.isfinite(e) and e > 0):
            continue
        hit = [j for j in range(first_j[i], m) if known_ms[j] <= t_ms[i] + horizon_ms
               and (low[j] <= e * (1 - down) or high[j] >= e * (1 + up))]
        if hit:
            j = hit[0]
            stop = low[j] <= e * (1 - down)
            y[i], end[i] = (0.0 if stop else 1.0), known_ms[j]
            ret[i] = min(e * (1 - down), opn[j]) / e - 1 if stop else up
        elif m and known_ms[-1] >= t_ms[i] + horizon_ms:
            inside = [j for j in range(first_j[i], m) if known_ms[j] <= t_ms[i] + horizon_ms]
            y[i], end[i] = -1.0, t_ms[i] + horizon_ms
            ret[i] = last[inside[-1]] / e - 1 if inside else 0.0
    return y, end, ret
