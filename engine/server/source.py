"""Market data for the server: capture files, a recorded store, or candles expanded into synthetic trades."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from components.types.events import ASK, BID, BookSnapshot, Trade

from engine.server.config import SourceConfig


@dataclass
class Loaded:
    """Events in time order plus what the market list and names are."""
    events: list
    markets: list[str]
    synthetic: bool
    names: dict


def _merge(trades: dict, books: dict, markets: list[str]) -> list:
    evs = []
    for m in markets:
        evs.extend(trades.get(m, []))
        evs.extend(books.get(m, []))
    # Books before trades at equal stamps would let a trade see its own aftermath: trades first.
    evs.sort(key=lambda e: (e.ts_ms, 0 if isinstance(e, Trade) else 1))
    return evs


def _capture_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    from components.types.feed.captures import is_capture
    return sorted(p for p in path.rglob("*") if p.is_file() and is_capture(p))


def load_capture_source(cfg: SourceConfig) -> Loaded:
    from components.types.feed.captures import load_capture
    trades: dict[str, list] = {}
    books: dict[str, list] = {}
    path = Path(cfg.path)
    if not path.exists():
        raise FileNotFoundError(f"source.path: {path} does not exist")
    for f in _capture_files(path):
        ev = load_capture(f, on_bad_row="skip")
        for m, rows in ev.trades.items():
            trades.setdefault(m, []).extend(rows)
        for m, rows in ev.books.items():
            books.setdefault(m, []).extend(rows)
    markets = sorted(set(trades) | set(books))
    if cfg.markets:
        markets = [m for m in markets if m in cfg.markets]
    if not markets:
        raise ValueError(f"source.path: no Upbit capture data for {cfg.markets or 'any market'} in {path}")
    return Loaded(_merge(trades, books, markets), markets, False, {})


def load_store_source(cfg: SourceConfig) -> Loaded:
    from registry import build
    store = build("store", {"component": "sqlite", "path": cfg.path}, path="source")
    try:
        markets = cfg.markets or store.markets()
        trades, books = {}, {}
        for m in markets:
            tb = store.read_trades(m, None, None)
            bb = store.read_books(m, None, None)
            trades[m] = [tb.row(i) for i in range(len(tb))]
            books[m] = [bb.row(i) for i in range(len(bb))]
    finally:
        store.close()
    return Loaded(_merge(trades, books, markets), list(markets), False, {})


def candles_to_events(batch, tick_of: Callable[[float], float], levels: int = 15) -> tuple[list, list]:
    """Expand each 1m candle into four trades (open, low/high, high/low, close) and a synthetic book per
    trade. SYNTHETIC: real order flow inside a minute is unknown; this only keeps prices and volume."""
    trades, books = [], []
    for i in range(len(batch)):
        t0 = int(batch.ts_ms[i])
        o, h, lo, c, v = (float(x[i]) for x in (batch.open, batch.high, batch.low, batch.close, batch.volume))
        path = (o, lo, h, c) if c >= o else (o, h, lo, c)
        prev = o
        for k, px in enumerate(path):
            ts = t0 + (0, 15_000, 30_000, 59_000)[k]
            side = BID if px >= prev else ASK
            trades.append(Trade(batch.market, ts, px, v / 4.0, side, ts * 1000 + k))
            tick = tick_of(px)
            size = max(v / 4.0, 1e-8)
            bid = px - tick * np.arange(1, levels + 1)
            ask = px + tick * np.arange(1, levels + 1)
            books.append(BookSnapshot(batch.market, ts, bid, np.full(levels, size), ask, np.full(levels, size)))
            prev = px
    return trades, books


def load_candle_source(cfg: SourceConfig) -> Loaded:
    from components.types.tick import quote_currency, table_tick
    from components.types.feed.loaders import load_candles
    root = Path(cfg.path)
    folder = root / "candles_1m" if (root / "candles_1m").is_dir() else root
    files = sorted(folder.glob("*.csv.gz"))
    markets = [f.name.split(".")[0] for f in files if "_" not in f.name]
    if cfg.markets:
        markets = [m for m in markets if m in cfg.markets]
    if not markets:
        raise ValueError(f"source.path: no candles_1m/<MARKET>.csv.gz for {cfg.markets or 'any market'} in {root}")
    trades, books = {}, {}
    for m in markets:
        b = load_candles(folder / f"{m}.csv.gz", m)
        b = b.take(np.arange(max(0, len(b) - cfg.max_candles), len(b)))
        trades[m], books[m] = candles_to_events(b, lambda px, q=quote_currency(m): table_tick(px, q))
    return Loaded(_merge(trades, books, markets), markets, True, {})


def load_source(cfg: SourceConfig) -> Loaded:
    return {"capture": load_capture_source, "store": load_store_source, "candles": load_candle_source}[cfg.kind](cfg)


class Replayer:
    """Plays events at `speed` x real time; when data ends and `loop` is on, starts again with timestamps
    and sequential_ids shifted past the previous pass (so ids stay unique and increasing)."""

    def __init__(self, loaded: Loaded, speed: float, loop: bool, max_gap_s: float = 10.0,
                 prefill_s: float = 0.0) -> None:
        self.loaded, self.speed, self.loop = loaded, speed, loop
        self.max_gap_ms = max_gap_s * 1000.0
        self.prefill_ms = prefill_s * 1000.0
        self.passes = 0
        self.done = asyncio.Event()

    async def run(self, on_event: Callable[[object], Awaitable[None] | None]) -> None:
        evs = self.loaded.events
        if not evs:
            self.done.set()
            return
        span_ms = evs[-1].ts_ms - evs[0].ts_ms + 1000
        seqs = [e.seq for e in evs if isinstance(e, Trade)]
        seq_span = (max(seqs) - min(seqs) + 1) if seqs else 0
        due, prev_ts = time.monotonic(), evs[0].ts_ms
        prefill_end, filled, behind = evs[0].ts_ms + self.prefill_ms, 0, 0
        while True:
            shift_ms, shift_seq = self.passes * span_ms, self.passes * seq_span
            for ev in evs:
                ts = ev.ts_ms + shift_ms
                # Long quiet spans (between capture sessions, or the loop seam) are not waited out.
                due += min(max(ts - prev_ts, 0), self.max_gap_ms) / 1000.0 / self.speed
                prev_ts = ts
                if ts < prefill_end:                 # history before the live part: applied at once
                    due = time.monotonic()
                    filled += 1
                    if filled % 500 == 0:
                        await asyncio.sleep(0)       # keep the server answering while it fills
                else:
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                        behind = 0
                    else:
                        behind += 1
                        if behind % 200 == 0:        # behind schedule (a starved CPU): still answer REST/WS
                            await asyncio.sleep(0)
                if shift_ms:
                    ev = replace(ev, ts_ms=ts, seq=ev.seq + shift_seq) if isinstance(ev, Trade) \
                        else replace(ev, ts_ms=ts)
                r = on_event(ev)
                if r is not None:
                    await r
            self.passes += 1
            if not self.loop:
                self.done.set()
                return
