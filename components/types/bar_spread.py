"""Bar spread estimators of the cost model: Corwin-Schultz (2012) from consecutive high/low pairs, Parkinson
volatility per bar (fractions of price)."""
from __future__ import annotations

import math
from collections import deque

import numpy as np

_K = 3.0 - 2.0 * math.sqrt(2.0)


def corwin_schultz_pair(h1: float, l1: float, h2: float, l2: float) -> float:
    """Spread estimate (fraction of price) from two consecutive bars; negative estimates clipped to 0."""
    if min(h1, l1, h2, l2) <= 0:
        return 0.0
    beta = math.log(h1 / l1) ** 2 + math.log(h2 / l2) ** 2
    gamma = math.log(max(h1, h2) / min(l1, l2)) ** 2
    alpha = (math.sqrt(2.0 * beta) - math.sqrt(beta)) / _K - math.sqrt(gamma / _K)
    s = 2.0 * (math.exp(alpha) - 1.0) / (1.0 + math.exp(alpha))
    return max(s, 0.0)


def corwin_schultz_batch(high: np.ndarray, low: np.ndarray, window_bars: int) -> np.ndarray:
    """Vectorised reference: at bar i, the mean of the last `window_bars` pair estimates ending at or
    before bar i (NaN until the first pair)."""
    h, l = np.asarray(high, float), np.asarray(low, float)
    out = np.full(len(h), np.nan)
    if len(h) < 2:
        return out
    beta = np.log(h[1:] / l[1:]) ** 2 + np.log(h[:-1] / l[:-1]) ** 2
    gamma = np.log(np.maximum(h[1:], h[:-1]) / np.minimum(l[1:], l[:-1])) ** 2
    alpha = (np.sqrt(2 * beta) - np.sqrt(beta)) / _K - np.sqrt(gamma / _K)
    s = np.maximum(2 * (np.exp(alpha) - 1) / (1 + np.exp(alpha)), 0.0)
    csum = np.concatenate([[0.0], np.cumsum(s)])
    i = np.arange(1, len(h))
    lo = np.maximum(0, i - window_bars)
    out[1:] = (csum[i] - csum[lo]) / (i - lo)
    return out


class CorwinSchultz:
    """Online Corwin-Schultz: rolling mean of the last `window_bars` pair estimates (fraction of price)."""

    def __init__(self, window_bars: int = 20) -> None:
        self.window_bars = window_bars
        self._prev: tuple[float, float] | None = None
        self._vals: deque[float] = deque(maxlen=window_bars)

    def update(self, high: float, low: float) -> float:
        if self._prev is not None:
            self._vals.append(corwin_schultz_pair(self._prev[0], self._prev[1], high, low))
        self._prev = (high, low)
        return self.value()

    def value(self) -> float:
        return float(sum(self._vals) / len(self._vals)) if self._vals else float("nan")


_PARK = 1.0 / (4.0 * math.log(2.0))


class BarStats:
    """Per-market bar state: Corwin-Schultz spread and Parkinson volatility per bar, both over the last
    `window_bars` bars. Each bar adds one pair estimate and one squared log range, so an update is O(1)
    and the estimates can be read (and handed to the cost model) on every bar.

    Parkinson: sigma^2 = ln(H/L)^2 / (4 ln 2), averaged (a per-bar log-return std).
    """

    def __init__(self, window_bars: int = 20) -> None:
        self.window_bars = window_bars
        self._prev: tuple[float, float] | None = None
        self._pairs: deque[float] = deque(maxlen=window_bars)
        self._range2: deque[float] = deque(maxlen=window_bars)
        self.interval_ms = 60_000

    def update(self, high: float, low: float, interval_ms: int = 60_000) -> None:
        self.interval_ms = interval_ms
        if not (high > 0 and low > 0):
            return
        if self._prev is not None:
            self._pairs.append(corwin_schultz_pair(self._prev[0], self._prev[1], high, low))
        self._prev = (high, low)
        self._range2.append(math.log(high / low) ** 2)

    def value(self) -> float:
        """Corwin-Schultz spread (fraction of price): mean of the pair estimates in the window."""
        return sum(self._pairs) / len(self._pairs) if self._pairs else float("nan")

    def sigma(self) -> float:
        """Per-bar volatility (fraction of price); NaN before the first bar."""
        if not self._range2:
            return float("nan")
        return math.sqrt(sum(self._range2) * _PARK / len(self._range2))


def bar_stats_batch(high: np.ndarray, low: np.ndarray, window_bars: int) -> tuple[list[float], list[float]]:
    """(BarStats.value(), BarStats.sigma()) after each bar of a whole column, the same floats as the
    online updates: the pair estimates and squared ranges come from the same scalar functions, and each
    window is summed oldest first from 0.0 (the order Python's sum takes over the deque), column-wise."""
    h, l = np.asarray(high, np.float64).tolist(), np.asarray(low, np.float64).tolist()
    n = len(h)
    ok = [hi > 0 and lo > 0 for hi, lo in zip(h, l)]
    good = [i for i in range(n) if ok[i]]
    pairs = [corwin_schultz_pair(h[a], l[a], h[b], l[b]) for a, b in zip(good, good[1:])]
    range2 = [math.log(h[i] / l[i]) ** 2 for i in good]
    n_range = np.cumsum(np.asarray(ok, bool), dtype=np.int64)   # squared ranges appended up to and with bar i
    n_pairs = np.maximum(n_range - 1, 0)          # pair estimates appended up to and with bar i
    value = _window_means(np.asarray(pairs, np.float64), n_pairs, window_bars)
    r2 = _window_sums(np.asarray(range2, np.float64), window_bars)
    cnt = np.minimum(n_range, window_bars)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.where(cnt > 0, np.sqrt(r2[n_range] * _PARK / np.maximum(cnt, 1)), np.nan)
    return value.tolist(), sigma.tolist()


def _window_sums(vals: np.ndarray, window: int) -> np.ndarray:
    """s[c] = sum of vals[max(0, c - window):c], added oldest first from 0.0, for c = 0..len(vals)."""
    c = np.arange(len(vals) + 1)
    s = np.zeros(len(vals) + 1)
    for j in range(window):
        idx = c - window + j
        keep = idx >= 0
        s[keep] = s[keep] + vals[idx[keep]]
    return s


def _window_means(vals: np.ndarray, counts: np.ndarray, window: int) -> np.ndarray:
    s = _window_sums(vals, window)
    cnt = np.minimum(counts, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, s[counts] / np.maximum(cnt, 1), np.nan)
