"""Data errors that name the file and line, and the raise-or-skip-and-count policy for bad rows."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from components.types.feed.quality import QualityReport

ON_BAD_ROW = ("raise", "skip")


class DataError(ValueError):
    """A malformed input row/line: `<file>:<line>: <what is wrong>`."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class BadRows:
    """Apply `on_bad_row`: raise DataError, or skip the row and count it (with the first examples) in a report."""

    def __init__(self, path: str | Path, on_bad_row: str = "raise", report: "QualityReport | None" = None) -> None:
        if on_bad_row not in ON_BAD_ROW:
            raise ValueError(f"on_bad_row must be one of {ON_BAD_ROW}, got {on_bad_row!r}")
        self.path, self.on_bad_row, self.report = path, on_bad_row, report
        self.skipped = 0

    def __call__(self, line: int, reason: str) -> None:
        err = DataError(self.path, line, reason)
        if self.on_bad_row == "raise":
            raise err
        self.skipped += 1
        if self.report is not None:
            self.report.add_bad_row(str(err))
