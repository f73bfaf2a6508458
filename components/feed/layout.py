"""Find the market-data files in a directory laid out like shared/data/upbit (or a single file)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from components.types.feed.loaders import market_of

UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CANDLE_DIR = re.compile(r"^candles_(\d+)([smhd])$")
EXACT = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)?$")
CSV_SUFFIXES = (".csv.gz", ".csv")


def _stem(path: Path) -> str:
    name = path.name
    for s in CSV_SUFFIXES:
        if name.endswith(s):
            return name[: -len(s)]
    return path.stem


def interval_of_dir(name: str) -> int | None:
    m = CANDLE_DIR.match(name)
    return int(m.group(1)) * UNIT_S[m.group(2)] if m else None


@dataclass
class DataLayout:
    """Files per market and kind. `variants` are extra files (e.g. `KRW-BTC_2020-2025_gappy.csv.gz`) that are
    listed but only replayed when the feed path points at them directly."""
    root: Path
    candles: dict[tuple[str, int], Path] = field(default_factory=dict)
    trades: dict[str, list[Path]] = field(default_factory=dict)
    books: dict[str, list[Path]] = field(default_factory=dict)
    captures: list[Path] = field(default_factory=list)
    rest: list[Path] = field(default_factory=list)
    variants: list[Path] = field(default_factory=list)

    def markets(self) -> list[str]:
        return sorted({m for m, _ in self.candles} | set(self.trades) | set(self.books))

    def intervals(self, market: str) -> list[int]:
        return sorted(i for m, i in self.candles if m == market)

    def kinds(self, market: str) -> set[str]:
        out = set()
        if self.intervals(market):
            out.add("candle")
        if market in self.trades:
            out.add("trade")
        if market in self.books:
            out.add("book")
        return out


def _add_tick(layout: DataLayout, path: Path, kind: str, prefix: str, exact_only: bool) -> None:
    name = _stem(path).removeprefix(prefix)
    if exact_only and not EXACT.match(name):
        layout.variants.append(path)
        return
    getattr(layout, kind).setdefault(market_of(path, prefix), []).append(path)


def _classify(layout: DataLayout, path: Path, direct: bool) -> None:
    name = path.name
    if name.endswith(".json"):
        layout.rest.append(path)
    elif name.startswith("trades_") and name.endswith(CSV_SUFFIXES):
        _add_tick(layout, path, "trades", "trades_", not direct)
    elif name.startswith("orderbook_") and name.endswith(CSV_SUFFIXES):
        _add_tick(layout, path, "books", "orderbook_", not direct)
    elif name.endswith(CSV_SUFFIXES):
        interval = interval_of_dir(path.parent.name)
        if interval is None and not direct:
            return
        if direct or EXACT.match(_stem(path)):
            layout.candles[(market_of(path), interval or 60)] = path
        else:
            layout.variants.append(path)
    elif path.parent.name == "ws_captures" or direct:
        from components.types.feed.captures import is_capture
        if is_capture(path):
            layout.captures.append(path)


def discover(root: str | Path) -> DataLayout:
    """Scan `root` (a directory, recursively, or one data file) in sorted order: deterministic."""
    root = Path(root)
    layout = DataLayout(root)
    if root.is_file():
        _classify(layout, root, direct=True)
        return layout
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        if path.suffix in (".md", ".txt") or path.name.startswith("README"):
            continue
        _classify(layout, path, direct=False)
    return layout
