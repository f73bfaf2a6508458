"""Where downloaded rows go: one CSV.gz per market and unit laid out like shared/data/upbit, a journal of pages
not yet merged, and the time spans already fetched (so a re-run asks only for what is missing)."""
from __future__ import annotations

import csv
import gzip
import json
import os
from pathlib import Path

from engine.download.units import Unit

CANDLE_HEADER = ("ts_ms", "open", "high", "low", "close", "volume", "value_krw")
TRADE_HEADER = ("ts_ms", "price", "volume", "side", "seq")


def merge_spans(spans: list[list[int]]) -> list[list[int]]:
    """Sorted, non-overlapping [lo, hi) spans (touching ones joined)."""
    out: list[list[int]] = []
    for lo, hi in sorted((int(a), int(b)) for a, b in spans if b > a):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def holes(lo: int, hi: int, spans: list[list[int]]) -> list[tuple[int, int]]:
    """Parts of [lo, hi) no span covers, oldest first."""
    out, at = [], lo
    for a, b in merge_spans(spans):
        if b <= at or a >= hi:
            continue
        if a > at:
            out.append((at, min(a, hi)))
        at = max(at, b)
    if at < hi:
        out.append((at, hi))
    return out


class Target:
    """One market and unit on disk. Pages go to a hidden journal (appended, flushed) before their span is
    recorded, so a kill at any point loses at most a page and never records a span whose rows are not
    written; `finish` merges journal and file, sorted, duplicates dropped, through an atomic rename."""

    def __init__(self, root: Path, unit: Unit, market: str) -> None:
        self.unit, self.market = unit, market
        folder = Path(root) / unit.folder
        name = unit.file_name(market)
        self.path = folder / name
        self.journal = folder / f".{name}.part.csv"
        self.spans_path = folder / f".{name}.spans.json"
        self.header = TRADE_HEADER if unit.is_trades else CANDLE_HEADER
        self.spans: list[list[int]] = []
        if self.spans_path.exists():
            self.spans = merge_spans(json.loads(self.spans_path.read_text())["spans"])

    def missing(self, lo: int, hi: int) -> list[tuple[int, int]]:
        return holes(lo, hi, self.spans)

    def append(self, rows: list[tuple], lo: int, hi: int) -> None:
        """Journal a page's rows, then record [lo, hi) as fetched."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if rows:
            new = not self.journal.exists()
            with open(self.journal, "a", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                if new:
                    w.writerow(self.header)
                w.writerows(rows)
                fh.flush()
                os.fsync(fh.fileno())
        if hi > lo:
            self.spans = merge_spans(self.spans + [[lo, hi]])
            tmp = self.spans_path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"market": self.market, "unit": self.unit.name, "spans": self.spans}))
            os.replace(tmp, self.spans_path)

    def _read(self, path: Path, opener) -> list[list[str]]:
        if not path.exists():
            return []
        with opener(path) as fh:
            rows = list(csv.reader(fh))
        return [r for r in rows[1:] if r]

    def finish(self) -> dict:
        """Merge the journal into the CSV.gz; -> rows in the file, rows added, duplicates dropped."""
        old = self._read(self.path, lambda p: gzip.open(p, "rt", newline="", encoding="utf-8"))
        new = self._read(self.journal, lambda p: open(p, newline="", encoding="utf-8"))
        if not new:
            return {"rows": len(old), "added": 0, "duplicates": 0}
        key = (lambda r: int(r[4])) if self.unit.is_trades else (lambda r: int(r[0]))
        merged: dict[int, list[str]] = {}
        for r in old + new:          # a repeated key keeps the later copy (the newer fetch)
            merged[key(r)] = r
        rows = sorted(merged.values(), key=lambda r: (int(r[0]), key(r)))
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with gzip.open(tmp, "wt", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(self.header)
            w.writerows(rows)
        os.replace(tmp, self.path)
        self.journal.unlink()
        return {"rows": len(rows), "added": len(rows) - len(old), "duplicates": len(old) + len(new) - len(rows)}
