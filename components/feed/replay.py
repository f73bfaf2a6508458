"""`feed: replay` — recorded market data from a directory (laid out like shared/data/upbit) or from a store."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from registry import Params, register
from components.types.feed.paths import checked_time, resolve_path, to_ms
from components.types.feed.quality import QualityReport
from components.types.stream import MarketStream

KINDS = ("candle", "trade", "book")


class OutlierParams(Params):
    """feed.outlier: prices far from their neighbours' median are dropped and counted, never replayed."""
    max_ratio: float = Field(3.0, ge=0, description="drop a price > max_ratio x (or < 1/max_ratio of) the rolling "
                                                    "median; 0 = off")
    window: int = Field(31, ge=3, le=10_001, description="rows in the centred rolling median")

    @field_validator("max_ratio")
    @classmethod
    def _ratio(cls, v: float) -> float:
        if v != 0 and v <= 1:
            raise ValueError("must be 0 (off) or > 1")
        return v


@register("feed", "replay")
class Replay:
    """Replay recorded candles/trades/books (files or a store), quality-checked, merged across markets."""

    class Params(Params):
        source: Literal["files", "store"] = Field("files", description="files under `path`, or a store")
        path: str = Field("examples/data", description="data directory (or one data file); relative paths "
                                                       "resolve against the working dir, then the project root")
        store: dict[str, Any] = Field(default_factory=lambda: {"component": "sqlite", "path": "outputs/scalp.db"},
                                      description="store node used when source=store")
        kinds: list[Literal["candle", "trade", "book"]] = Field(list(KINDS), min_length=1,
                                                                description="event kinds to load")
        start: str | int | None = Field(None, description="first event time: ISO (UTC) or epoch ms")
        end: str | int | None = Field(None, description="end (exclusive): ISO (UTC) or epoch ms")
        speed: float = Field(0.0, ge=0, description="0 = as fast as possible; 1 = real time; 60 = 1 min/s")
        candle_interval_s: int = Field(60, ge=1, description="candle interval; resampled from a shorter one "
                                                             "when no file of this interval exists")
        tick_source: Literal["csv", "captures"] = Field("csv", description="trades/books from normalized CSVs "
                                                                           "or from raw WebSocket captures")
        on_bad_row: Literal["raise", "skip"] = Field("raise", description="malformed row: stop with file:line, "
                                                                          "or skip and count it")
        on_unsorted: Literal["fix", "reject"] = Field("fix", description="out-of-order stamps: sort, or stop")
        long_gap_s: float = Field(600, gt=0, description="candle gaps longer than this are reported")
        outlier: OutlierParams = Field(default_factory=OutlierParams, description="bad-print rule (counted)")

        @field_validator("start", "end")
        @classmethod
        def _time(cls, v):
            return checked_time(v)

    def __init__(self, p: "Replay.Params") -> None:
        self.p = p
        self.start_ms, self.end_ms = to_ms(p.start), to_ms(p.end)
        if self.start_ms is not None and self.end_ms is not None and self.end_ms <= self.start_ms:
            from registry import ConfigError
            raise ConfigError([("feed.end", "must be after feed.start")])
        self.report = QualityReport()
        self._layout = None

    # -- what is there ---------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return resolve_path(self.p.path)

    def layout(self):
        if self._layout is None:
            from components.feed.layout import discover
            if not self.root.exists():
                raise FileNotFoundError(f"feed.path: no such file or directory: {self.root}")
            self._layout = discover(self.root)
        return self._layout

    def markets(self) -> list[str]:
        if self.p.source == "store":
            with self._open_store() as st:
                return st.markets()
        return self.layout().markets()

    def provides(self, markets: list[str] | None = None) -> set[str]:
        """Event kinds this feed delivers for `markets` (configured kinds that have data); for link checks."""
        if self.p.source == "store":
            return set(self.p.kinds)
        if not self.root.exists():
            return set()          # nothing to provide; the feed link check reports the missing path
        lay = self.layout()
        have: set[str] = set()
        for m in markets or lay.markets():
            have |= lay.kinds(m)
            if self.p.tick_source == "captures" and lay.captures:
                have |= {"trade", "book"}
        return have & set(self.p.kinds)

    # -- loading -------------------------------------------------------------------------------------
    def load(self, markets: list[str] | None = None, store=None) -> dict[str, MarketStream]:
        """Per-market streams (quality-checked, clipped to [start, end)); counts go to `self.report`."""
        self.report = QualityReport()
        if self.p.source == "store":
            if store is not None:
                return self._from_store(store, markets)
            with self._open_store() as st:
                return self._from_store(st, markets)
        from components.feed.files import load_market
        lay = self.layout()
        caps = None
        if self.p.tick_source == "captures" and ({"trade", "book"} & set(self.p.kinds)):
            from components.types.feed.captures import CaptureEvents, load_capture
            caps = CaptureEvents()
            for f in lay.captures:
                one = load_capture(f, on_bad_row=self.p.on_bad_row, report=self.report)
                for attr in ("trades", "books", "candles"):
                    for m, rows in getattr(one, attr).items():
                        getattr(caps, attr).setdefault(m, []).extend(rows)
        known = sorted(set(lay.markets()) | set(caps.markets() if caps is not None else []))
        wanted = list(markets) if markets else known
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise FileNotFoundError(f"markets: no data for {unknown} under {self.root}; "
                                    f"available: {', '.join(known) or '(none)'}")
        out = {}
        for m in sorted(wanted):
            s = load_market(lay, m, self.p, self.report, self.start_ms, self.end_ms, caps)
            if len(s):
                out[m] = s
        return out

    def _open_store(self):
        from registry import build
        return build("store", self.p.store, path="feed.store")

    def _from_store(self, st, markets: list[str] | None) -> dict[str, MarketStream]:
        known = st.markets()
        wanted = sorted(markets) if markets else known
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise FileNotFoundError(f"markets: no data for {unknown} in the store; "
                                    f"available: {', '.join(known) or '(none)'} (scalp data import --from <dir>)")
        out = {}
        for m in wanted:
            s = st.read_stream(m, self.start_ms, self.end_ms, tuple(self.p.kinds), self.p.candle_interval_s)
            if len(s):
                out[m] = s
        return out

    def events(self, markets: list[str] | None = None, streams: dict[str, MarketStream] | None = None) -> Iterator:
        """All markets' events merged (tie rule in `merge.merged_index`), paced by `speed`."""
        from components.types.feed.merge import iter_merged
        return iter_merged(streams if streams is not None else self.load(markets), self.p.speed)
