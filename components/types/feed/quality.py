"""Data-quality checks with counts: crossed books, out-of-order stamps, duplicate trades/candles, long gaps."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from components.types.feed.errors import DataError
from components.types.events import BookBatch, CandleBatch, TradeBatch

ON_UNSORTED = ("fix", "reject")
MAX_EXAMPLES = 5


@dataclass
class Gap:
    """A stretch without candles longer than the configured limit (start = last bar open, end = next bar open)."""
    market: str
    start_ms: int
    end_ms: int

    @property
    def minutes(self) -> float:
        return (self.end_ms - self.start_ms) / 60_000


@dataclass
class QualityReport:
    """Counts of everything the feed fixed, dropped or noticed; printed in the run summary and `data info`."""
    bad_rows: int = 0              # malformed rows/lines skipped (on_bad_row=skip)
    crossed_books: int = 0         # best bid >= best ask: dropped
    unsorted_fixed: int = 0        # events that arrived out of time order and were re-sorted
    duplicate_trades: int = 0      # same (market, seq): later copies dropped
    duplicate_candles: int = 0     # same (market, open time): later copies dropped
    quiet_minutes: int = 0         # missing 1m bars inside short gaps: a quiet minute on Upbit, normal
    outliers: int = 0              # prices too far from their neighbours' median (feed.outlier): dropped
    long_gaps: list[Gap] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)   # first few bad-row messages (file:line: reason)

    def add_bad_row(self, message: str) -> None:
        self.bad_rows += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(message)

    def merge(self, other: "QualityReport") -> "QualityReport":
        for k in ("bad_rows", "crossed_books", "unsorted_fixed", "duplicate_trades", "duplicate_candles",
                  "quiet_minutes", "outliers"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.long_gaps.extend(other.long_gaps)
        self.examples.extend(other.examples[:max(0, MAX_EXAMPLES - len(self.examples))])
        return self

    def counts(self) -> dict[str, int]:
        d = asdict(self)
        d.pop("examples")
        d["long_gaps"] = len(self.long_gaps)
        return d

    def as_dict(self) -> dict:
        d = self.counts()
        d["long_gap_spans"] = [{"market": g.market, "start_ms": g.start_ms, "end_ms": g.end_ms,
                                "minutes": round(g.minutes, 1)} for g in self.long_gaps]
        d["examples"] = list(self.examples)
        return d


@dataclass(frozen=True)
class OutlierRule:
    """A price more than `max_ratio` times above (or below 1/max_ratio of) the median of the `window` prices
    centred on it is a bad print (a fat finger, a unit slip): dropped and counted. max_ratio 0 = off."""
    max_ratio: float = 3.0
    window: int = 31

    @property
    def on(self) -> bool:
        return self.max_ratio > 0 and self.window >= 3


def _outlier_mask(prices: np.ndarray, rule: OutlierRule) -> np.ndarray:
    """Rows (any column of `prices`, shape (n, k)) outside [median / max_ratio, median * max_ratio]."""
    from scipy.ndimage import median_filter
    ref = prices[:, -1]
    med = median_filter(ref, size=min(rule.window, len(ref)) | 1, mode="nearest")
    hi, lo = med * rule.max_ratio, med / rule.max_ratio
    return ((prices > hi[:, None]) | (prices < lo[:, None])).any(axis=1)


def drop_outliers(b, prices: np.ndarray, report: QualityReport, rule: OutlierRule | None, what: str):
    """The batch without its outlier rows (counted, first examples kept); `prices` (n, k) per row, the last
    column is the reference series (close, price, mid)."""
    if rule is None or not rule.on or len(b) < 3:
        return b
    bad = _outlier_mask(np.asarray(prices, np.float64).reshape(len(b), -1), rule)
    if not bad.any():
        return b
    report.outliers += int(bad.sum())
    for i in np.nonzero(bad)[0][:max(0, MAX_EXAMPLES - len(report.examples))]:
        report.examples.append(f"{what}: outlier at ts_ms {int(b.ts_ms[i])} (> {rule.max_ratio:g}x from the "
                               f"median of {rule.window} neighbours)")
    return b.take(np.nonzero(~bad)[0])


def _order(ts: np.ndarray, tiebreak: np.ndarray | None, what: str, on_unsorted: str,
           report: QualityReport) -> np.ndarray | None:
    """Index that sorts the batch by time (None when already sorted); counts or rejects disorder."""
    if on_unsorted not in ON_UNSORTED:
        raise ValueError(f"on_unsorted must be one of {ON_UNSORTED}, got {on_unsorted!r}")
    keys = (tiebreak, ts) if tiebreak is not None else (ts,)
    d = np.diff(ts)
    bad = d < 0
    if tiebreak is not None:
        bad |= (d == 0) & (np.diff(tiebreak) < 0)
    if not bad.any():
        return None
    if on_unsorted == "reject":
        i = int(np.argmax(bad)) + 1
        raise DataError(what, None, f"timestamps go backwards at row {i} ({int(ts[i])} after {int(ts[i - 1])}); "
                                    f"set feed.on_unsorted=fix to sort")
    order = np.lexsort(keys)
    report.unsorted_fixed += int((order != np.arange(len(ts))).sum())
    return order


def clean_trades(b: TradeBatch, report: QualityReport, on_unsorted: str = "fix", what: str = "",
                 outlier: OutlierRule | None = None) -> TradeBatch:
    """Sort by (ts_ms, seq), drop repeated sequential_ids (a re-sent print, e.g. after a reconnect) and
    outlier prices."""
    order = _order(b.ts_ms, b.seq, what or f"trades {b.market}", on_unsorted, report)
    if order is not None:
        b = b.take(order)
    _, first = np.unique(b.seq, return_index=True)
    if len(first) < len(b):
        report.duplicate_trades += len(b) - len(first)
        b = b.take(np.sort(first))
    return drop_outliers(b, b.price, report, outlier, what or f"trades {b.market}")


def clean_books(b: BookBatch, report: QualityReport, on_unsorted: str = "fix", what: str = "",
                outlier: OutlierRule | None = None) -> BookBatch:
    """Sort by time (stable), drop crossed snapshots (best bid >= best ask cannot be a real book) and books
    whose best prices are outliers."""
    order = _order(b.ts_ms, None, what or f"books {b.market}", on_unsorted, report)
    if order is not None:
        b = b.take(order)
    if len(b) and b.levels:
        ok = b.bid_px[:, 0] < b.ask_px[:, 0]
        if not ok.all():
            report.crossed_books += int((~ok).sum())
            b = b.take(np.nonzero(ok)[0])
    if len(b) and b.levels:
        best = np.column_stack([b.bid_px[:, 0], b.ask_px[:, 0], (b.bid_px[:, 0] + b.ask_px[:, 0]) / 2])
        b = drop_outliers(b, best, report, outlier, what or f"books {b.market}")
    return b


def clean_candles(b: CandleBatch, report: QualityReport, on_unsorted: str = "fix", what: str = "",
                  long_gap_s: float = 600, outlier: OutlierRule | None = None) -> CandleBatch:
    """Sort by open time, drop repeated bars and outlier bars, count quiet minutes and report gaps longer
    than `long_gap_s`."""
    order = _order(b.ts_ms, None, what or f"candles {b.market}", on_unsorted, report)
    if order is not None:
        b = b.take(order)
    if len(b) > 1:
        keep = np.r_[True, np.diff(b.ts_ms) != 0]
        if not keep.all():
            report.duplicate_candles += int((~keep).sum())
            b = b.take(np.nonzero(keep)[0])
    b = drop_outliers(b, np.column_stack([b.open, b.high, b.low, b.close]), report, outlier,
                      what or f"candles {b.market}")
    check_gaps(b, report, long_gap_s)
    return b


def check_gaps(b: CandleBatch, report: QualityReport, long_gap_s: float = 600) -> None:
    """Upbit sends no bar for a minute without trades: short holes are quiet minutes; long ones are reported."""
    if len(b) < 2:
        return
    step_ms = b.interval_s * 1000
    d = np.diff(b.ts_ms)
    missing = d // step_ms - 1
    long = d > long_gap_s * 1000
    report.quiet_minutes += int(missing[(~long) & (missing > 0)].sum()) * b.interval_s // 60
    for i in np.nonzero(long)[0]:
        report.long_gaps.append(Gap(b.market, int(b.ts_ms[i]), int(b.ts_ms[i + 1])))
