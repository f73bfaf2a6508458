"""Shared machinery of feature components: event rows, state arrays, online/batch drivers (no registration).

Every feature keeps its whole state in ONE float64 array `s` whose first `len(outputs)` slots are the
current outputs. A numba `step(s, ev) -> int` kernel applies one encoded event row `ev` and returns
0 (applied or ignored) or 1 (invalid input, skipped). The online form calls `step` once per event; the
batch form runs a numba loop that calls the very same `step` over the encoded stream, so online ==
batch holds by construction (and is tested). Event row layout (float64):
  candle: [0, known_ts_ms, open, high, low, close, volume, open_ts_ms]   (known = close time)
  trade:  [1, ts_ms, price, volume, side(+1 BID/-1 ASK)]
  book:   [2, ts_ms, L, bid_px[0:L], bid_sz[0:L], ask_px[0:L], ask_sz[0:L]]
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from components.feature._kernels import bar_step, bar_rows
from components.types.events import BOOK, CANDLE, KIND_NAMES, TRADE
from components.types.kinds import Feature
from registry import Params

ALL_KINDS = frozenset({"candle", "trade", "book"})
KIND_CODE = {"candle": CANDLE, "trade": TRADE, "book": BOOK}
BASE_WIDTH = 8


class InvalidFeatureInput(ValueError):
    """An event a feature cannot use (NaN/inf price or size, empty or crossed book) with on_invalid=raise."""


class FeatureParams(Params):
    """Parameters every feature shares."""
    on_invalid: Literal["skip", "raise"] = Field(
        "skip", description="NaN/inf prices or sizes, empty books: skip the event (counted in "
                            "`invalid_count`, state untouched) or raise InvalidFeatureInput")


class BarParams(FeatureParams):
    """Parameters of candle features: read candles, or build time bars from trades (tick feeds)."""
    bars_from: Literal["candle", "trade"] = Field(
        "candle", description="candle: use the feed's candles; trade: build bar_s time bars from trades "
                              "(a bar is complete when the first trade of a later bar arrives)")
    bar_s: int = Field(60, ge=1, description="bar length when bars_from=trade (seconds)")


def settle_bars(n: int, tol: float = 1e-3) -> int:
    """Bars after its seed until a Wilder mean (weight 1/n) forgets the seed to `tol`: (1 - 1/n)^k <= tol.

    A recursive feature is only history-independent (the same value whatever bar the data starts at)
    after its seed has decayed; its declared warm-up must include these bars (leakcheck's warm-up check)."""
    import math
    return 0 if n <= 1 else int(math.ceil(math.log(tol) / math.log(1.0 - 1.0 / n)))


def row_width(levels: int) -> int:
    return max(BASE_WIDTH, 3 + 4 * levels)


def encode(event: Any, row: np.ndarray) -> np.ndarray:
    """Write one event into `row` (grown when a book has more levels); return the row used."""
    k = event.kind
    if k == TRADE:
        row[0] = 1.0; row[1] = event.ts_ms; row[2] = event.price; row[3] = event.volume
        row[4] = event.side
    elif k == BOOK:
        L = len(event.bid_px)
        if row.shape[0] < 3 + 4 * L:
            row = np.empty(row_width(L))
        row[0] = 2.0; row[1] = event.ts_ms; row[2] = L
        row[3:3 + L] = event.bid_px; row[3 + L:3 + 2 * L] = event.bid_sz
        row[3 + 2 * L:3 + 3 * L] = event.ask_px; row[3 + 3 * L:3 + 4 * L] = event.ask_sz
    else:
        row[0] = 0.0; row[1] = event.ts_ms + event.interval_s * 1000; row[2] = event.open
        row[3] = event.high; row[4] = event.low; row[5] = event.close; row[6] = event.volume
        row[7] = event.ts_ms
    return row


def encode_stream(stream: Any) -> np.ndarray:
    """All events of a MarketStream as rows (n, width), vectorised."""
    n = len(stream)
    L = stream.books.levels if stream.books is not None and len(stream.books) else 0
    E = np.full((n, row_width(L)), np.nan)
    E[:, 0] = stream.kind
    E[:, 1] = stream.ts_ms
    for code, batch in ((CANDLE, stream.candles), (TRADE, stream.trades), (BOOK, stream.books)):
        if batch is None or len(batch) == 0:
            continue
        at = np.nonzero(stream.kind == code)[0]
        r = stream.row[at]
        if code == CANDLE:
            for j, col in enumerate((batch.open, batch.high, batch.low, batch.close, batch.volume)):
                E[at, 2 + j] = col[r]
            E[at, 7] = batch.ts_ms[r]
        elif code == TRADE:
            E[at, 2] = batch.price[r]; E[at, 3] = batch.volume[r]; E[at, 4] = batch.side[r]
        else:
            E[at, 2] = L
            E[at, 3:3 + L] = batch.bid_px[r]; E[at, 3 + L:3 + 2 * L] = batch.bid_sz[r]
            E[at, 3 + 2 * L:3 + 3 * L] = batch.ask_px[r]; E[at, 3 + 3 * L:3 + 4 * L] = batch.ask_sz[r]
    return E


class KernelFeature(Feature):
    """A feature whose online and batch forms share one numba `step` kernel over a state array.

    Subclasses set `needs`, `OUTPUTS`, `step` and `batch_kernel` (staticmethods wrapping the module's
    njit functions), and implement `init_state()` and `warmup`. `listens` (default = needs) are the
    event kinds `update` reacts to; a feature like time_regime needs nothing but listens to all.
    """
    OUTPUTS: ClassVar[tuple[str, ...]] = ("value",)
    listens: ClassVar[frozenset[str] | None] = None
    step: ClassVar[Any]
    batch_kernel: ClassVar[Any]

    def __init__(self, p: FeatureParams) -> None:
        self.p = p
        self._row = np.empty(BASE_WIDTH)
        self.from_trades = getattr(p, "bars_from", "candle") == "trade"
        if self.from_trades:
            self.needs = frozenset({"trade"})      # instance-level: this instance reads trades, not candles
            self._bar_row = np.empty(BASE_WIDTH)
        self._codes = frozenset(KIND_CODE[k] for k in self.listen_kinds)
        self.reset()

    # -- contract ---------------------------------------------------------------------------
    @property
    def outputs(self) -> tuple[str, ...]:
        return self.OUTPUTS

    @property
    def listen_kinds(self) -> frozenset[str]:
        if self.from_trades:
            return frozenset({"trade"})
        return self.listens if self.listens is not None else self.needs

    def init_state(self) -> np.ndarray:
        raise NotImplementedError

    def reset(self) -> None:
        self.s = self.init_state()
        self.invalid_count = 0
        if self.from_trades:
            self._bar = new_bar(self.p.bar_s)

    def update(self, event: Any) -> None:
        self._row = encode(event, self._row)
        self.apply_row(self._row)

    def apply_row(self, row: np.ndarray) -> bool:
        """Apply one encoded event (FeatureSet encodes once and shares the row).

        Returns True when the event was consumed (a listened kind, valid, and for bars built from
        trades: a bar completed) — normalisers sample their inner feature exactly then."""
        if self.from_trades:
            rc = bar_step(self._bar, row, self._bar_row)
            if rc == 1:
                type(self).step(self.s, self._bar_row)
                return True
            if rc != 2:
                return False
        elif not type(self).step(self.s, row):
            return row[0] in self._codes
        self.reject(row)
        return False

    def reject(self, row: np.ndarray) -> None:
        """Count an invalid event; raise when configured (on_invalid=raise)."""
        self.invalid_count += 1
        if self.p.on_invalid == "raise":
            raise InvalidFeatureInput(
                f"feature {self.component_name}: invalid {KIND_NAMES.get(int(row[0]), '?')} "
                f"event at ts_ms={_stamp(row)} (NaN/inf or empty book); on_invalid=raise")

    def value(self) -> np.ndarray:
        return self.s[:len(self.OUTPUTS)].copy()

    def batch(self, stream: Any, rows: np.ndarray | None = None) -> np.ndarray:
        """Outputs after every event of `stream`: shape (len(stream), len(outputs))."""
        return self.batch_rows(encode_stream(stream) if rows is None else rows)[0]

    def batch_rows(self, E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(outputs per row, consumed mask per row) over encoded rows; same kernel as `update`."""
        s = self.init_state()
        n = E.shape[0]
        out = np.empty((n, len(self.OUTPUTS)))
        ok = np.zeros(n, np.bool_)
        if self.from_trades:
            bars, n_bad, first_bad = bar_rows(new_bar(self.p.bar_s), np.ascontiguousarray(E))
            type(self).batch_kernel(s, bars, out, ok)
            consumed = ok & (bars[:, 0] == CANDLE)
        else:
            n_bad, first_bad = type(self).batch_kernel(s, np.ascontiguousarray(E), out, ok)
            codes = [KIND_CODE[k] for k in self.listen_kinds]
            consumed = ok & np.isin(E[:, 0], codes)
        if n_bad and self.p.on_invalid == "raise":
            raise InvalidFeatureInput(
                f"feature {self.component_name}: {n_bad} invalid events, first at row {first_bad} "
                f"ts_ms={_stamp(E[first_bad])} (NaN/inf or empty book); on_invalid=raise")
        return out, consumed


def _stamp(row: np.ndarray) -> str:
    """The event's own stamp for messages (a candle's open time, as in the data files)."""
    ts = row[7] if row[0] == CANDLE else row[1]
    return str(int(ts)) if np.isfinite(ts) else "nan"


def new_bar(bar_s: int) -> np.ndarray:
    b = np.zeros(8)
    b[7] = bar_s * 1000.0
    return b


def new_state(n_out: int, n_priv: int) -> np.ndarray:
    """Outputs NaN (not warm), private slots zero."""
    s = np.zeros(n_out + n_priv)
    s[:n_out] = np.nan
    return s
