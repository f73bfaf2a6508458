"""Realised outcomes of decisions: forward return after a horizon -> learned fusion, calibration metrics, report."""
from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from components.types import metric_names as MN


def barrier_from(cfg: Any) -> tuple[float, float] | None:
    """(up, down) fractions of the first label when it is a barrier label, else None."""
    for node in (cfg.get("labels") or {}).values():
        if hasattr(node, "get") and node.get("component") == "barrier_hit":
            return float(node.get("up_pct", 0.4)) / 100.0, float(node.get("down_pct", 0.4)) / 100.0
        return None
    return None


def horizon_from(cfg: Any, default_ms: int = 300_000) -> int:
    """The first label's horizon (`labels.<id>.horizon_ms`), else `default_ms`."""
    labels = cfg.get("labels") or {}
    for node in labels.values():
        h = node.get("horizon_ms") if hasattr(node, "get") else None
        if h:
            return int(h)
    return default_ms


class OutcomeTracker:
    """Remembers (time, P(up), tower scores, price) of each decision; once `horizon_ms` has passed on that
    market, the forward return is known: it goes to a learning fusion (`record`) and into rolling
    (P(up), up-move) pairs whose expected calibration error is published as `calibration_ece`.

    The outcome is "the price rose over the horizon" — a plain proxy for the towers' training label
    (e.g. barrier_hit); the report says so next to the reliability curve.
    """

    def __init__(self, horizon_ms: int, fusion: Any = None, market_class: str = "majors",
                 window: int = 2000, bins: int = 10, barrier: tuple[float, float] | None = None) -> None:
        self.horizon_ms = int(horizon_ms)
        # With a barrier label the towers predict "up barrier before the stop within the horizon": the
        # outcome must be that event, not "price up" (comparing the two reads as miscalibration).
        self.barrier = barrier
        self._record = getattr(fusion, "record", None)
        self.market_class = market_class
        self.pending: dict[str, deque] = {}
        self.pairs: deque = deque(maxlen=window)
        # Running calibration bins over `pairs` (sum p, sum y per equal-width bin): publish is O(bins), not a
        # rebuild of the whole window every minute. Re-summed from `pairs` every `window` evictions so float
        # rounding cannot accumulate over a long run.
        self._sum_p = np.zeros(bins)
        self._sum_y = np.zeros(bins)
        self._evicted = 0
        # off while nobody publishes (uncalibrated towers): the bins are then rebuilt at the first publish
        self.track_bins = True
        self.all_p: list[float] = []
        self.all_y: list[float] = []
        self.bins = bins

    def set_fusion(self, fusion: Any) -> None:
        """Outcomes go to this fusion from now on (after a model swap)."""
        self._record = getattr(fusion, "record", None)

    def on_decision(self, market: str, ts_ms: int, p: float, scores: dict, price: float) -> None:
        q = self.pending.get(market)
        if q is None:                      # (setdefault would build a deque on every decision)
            q = self.pending[market] = deque()
        if self.barrier is not None and math.isfinite(price):
            # Barriers are checked at decision times (every decision interval), not on every event: the
            # cost stays O(pending) per decision. On candles that means closes, not intrabar highs/lows.
            up, down = self.barrier
            for item in q:
                if item[4] is None:
                    if price >= item[3] * (1.0 + up):
                        item[4] = 1.0
                    elif price <= item[3] * (1.0 - down):
                        item[4] = 0.0
        if math.isfinite(p) and math.isfinite(price) and price > 0:
            q.append([ts_ms, p, scores, price, None])

    def on_price(self, market: str, ts_ms: int, price: float) -> None:
        q = self.pending.get(market)
        if not q or not math.isfinite(price):
            return
        while q and ts_ms - q[0][0] >= self.horizon_ms:
            _, p, scores, px0, hit = q.popleft()
            r = price / px0 - 1.0
            if self.barrier is not None:
                y = hit if hit is not None else 0.0      # time barrier: the label says 0
            else:
                y = 1.0 if r > 0 else 0.0
            self._add_pair(p, y)
            self.all_p.append(p)
            self.all_y.append(y)
            if self._record is not None:
                self._record(scores, r, self.market_class)

    def _bin(self, p: float) -> int:
        return min(int(min(max(p, 0.0), 1.0) * self.bins), self.bins - 1)

    def _add_pair(self, p: float, y: float) -> None:
        if not self.track_bins:
            self.pairs.append((p, y))
            return
        if len(self.pairs) == self.pairs.maxlen:
            p0, y0 = self.pairs[0]
            b0 = self._bin(p0)
            self._sum_p[b0] -= p0
            self._sum_y[b0] -= y0
            self._evicted += 1
        self.pairs.append((p, y))
        b = self._bin(p)
        self._sum_p[b] += p
        self._sum_y[b] += y
        if self._evicted >= (self.pairs.maxlen or 1):
            self._resum()

    def _resum(self) -> None:
        self._evicted = 0
        self._sum_p[:], self._sum_y[:] = 0.0, 0.0
        for pp, yy in self.pairs:
            bb = self._bin(pp)
            self._sum_p[bb] += pp
            self._sum_y[bb] += yy

    def publish(self, metrics: Any) -> None:
        """ECE of the window (engine.drift.expected_calibration_error's definition) from the running bins."""
        if not self.track_bins:
            self.track_bins = True
            self._resum()
        metrics.set(MN.CALIBRATION_SAMPLES, len(self.pairs))
        if self.pairs:
            metrics.set(MN.CALIBRATION_ECE, float(np.abs(self._sum_p - self._sum_y).sum() / len(self.pairs)))

    def reliability(self) -> dict | None:
        """Report section: mean P(up) and observed up-frequency per equal-width bin (bins with data only)."""
        if len(self.all_p) < 20:
            return None
        p, y = np.asarray(self.all_p), np.asarray(self.all_y)
        b = np.minimum((np.clip(p, 0, 1) * self.bins).astype(int), self.bins - 1)
        n = np.bincount(b, minlength=self.bins)
        ok = n > 0
        return {"p": (np.bincount(b, p, self.bins)[ok] / n[ok]).tolist(),
                "observed": (np.bincount(b, y, self.bins)[ok] / n[ok]).tolist(), "n": n[ok].tolist(),
                "horizon_ms": self.horizon_ms,
                "outcome": ("up barrier before the stop within the horizon (checked at decisions)"
                            if self.barrier is not None else "price up after the horizon")}
