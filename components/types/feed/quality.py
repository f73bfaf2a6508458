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
    long_gaps: list[Gap] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)   # first few bad-row messages (file:line: reason)

    def add_bad_row(self, message: str) -> None:
        self.bad_rows += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(message)

    def merge(self, other: "QualityReport") -> "QualityReport":
        for k in ("bad_rows", "crossed_books", "unsorted_fixed", "duplicate_trades", "duplicate_candles",
                  "quiet_minutes"):
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


def clean_trades(b: TradeBatch, report: QualityReport, on_unsorted: str = "fix", what: str = "") -> TradeBatch:
    """Sort by (ts_ms, seq) and drop repeated sequential_ids (a re-sent print, e.g. after a reconnect)."""
    order = _order(b.ts_ms, b.seq, what or f"trades {b.market}", on_unsorted, report)
    if order is not None:
        b = b.take(order)
    _, first = np.unique(b.seq, return_index=True)
    if len(first) < len(b):
        report.duplicate_trades += len(b) - len(first)
        b = b.take(np.sort(first))
    return b


def clean_books(b: BookBatch, report: QualityReport, on_unsorted: str = "fix", what: str = "") -> BookBatch:
    """Sort by time (stable) and drop crossed snapshots (best bid >= best ask cannot be a real book)."""
    order = _order(b.ts_ms, None, what or f"books {b.market}", on_unsorted, report)
    if order is not None:
        b = b.take(order)
    if len(b) and b.levels:
        ok = b.bid_px[:, 0] < b.ask_px[:, 0]
        if not ok.all():
            report.crossed_books += int((~ok).sum())
            b = b.take(np.nonzero(ok)[0])
    return b


def clean_candles(b: CandleBatch, report: QualityReport, on_unsorted: str = "fix", what: str = "",
                  long_gap_s: float = 600) -> CandleBatch:
    """Sort by open time, drop repeated bars, count quiet minutes and report gaps longer than `long_gap_s`."""
    order = _order(b.ts_ms, None, what or f"candles {b.market}", on_unsorted, report)
    if order is not None:
        b = b.take(order)
    if len(b) > 1:
        keep = np.r_[True, np.diff(b.ts_ms) != 0]
        if not keep.all():
            report.duplicate_candles += int((~keep).sum())
            b = b.take(np.nonzero(keep)[0])
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
