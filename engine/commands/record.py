"""`scalp record [markets=[...]] [feed=upbit_ws feed.url=...] [--duration-s N]`: Upbit WS -> store."""
from __future__ import annotations

import asyncio
import time

HELP = "record Upbit WebSocket trades/books into the store"


def _pop_flag(argv: list[str], name: str, default: float) -> tuple[list[str], float]:
    args = list(argv)
    if name in args:
        i = args.index(name)
        value = float(args[i + 1])
        del args[i:i + 2]
        return args, value
    return args, default


class Recorder:
    """Buffers events per market and flushes them as batches; the store skips rows it already has."""

    def __init__(self, store, flush_every: int = 500) -> None:
        self.store, self.flush_every = store, flush_every
        self.trades: dict[str, list] = {}
        self.books: dict[str, list] = {}
        self.n_trades = self.n_books = 0
        self._pending = 0

    def add(self, ev) -> None:
        from components.types.events import BookSnapshot, Trade
        if isinstance(ev, Trade):
            self.trades.setdefault(ev.market, []).append(ev)
        elif isinstance(ev, BookSnapshot):
            self.books.setdefault(ev.market, []).append(ev)
        else:
            return
        self._pending += 1
        if self._pending >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        import numpy as np

        from components.types.events import BookBatch, TradeBatch
        for m, rows in self.trades.items():
            if rows:
                rows.sort(key=lambda t: (t.ts_ms, t.seq))
                self.n_trades += self.store.insert_trades(TradeBatch(
                    m, np.array([r.ts_ms for r in rows], np.int64), np.array([r.price for r in rows]),
                    np.array([r.volume for r in rows]), np.array([r.side for r in rows], np.int8),
                    np.array([r.seq for r in rows], np.int64)))
        for m, rows in self.books.items():
            levels = min(len(r.bid_px) for r in rows) if rows else 0
            if rows and levels:
                rows.sort(key=lambda b: b.ts_ms)
                self.n_books += self.store.insert_books(BookBatch(
                    m, np.array([r.ts_ms for r in rows], np.int64),
                    np.stack([r.bid_px[:levels] for r in rows]), np.stack([r.bid_sz[:levels] for r in rows]),
                    np.stack([r.ask_px[:levels] for r in rows]), np.stack([r.ask_sz[:levels] for r in rows])))
        self.trades, self.books, self._pending = {}, {}, 0


async def record(feed, store, markets: list[str], duration_s: float, flush_every: int = 500,
                 progress_every_s: float = 10.0, echo=print) -> Recorder:
    """Run the feed into the store for `duration_s` (0 = until interrupted); flushes on exit."""
    from engine.i18n import t
    rec = Recorder(store, flush_every)
    deadline = time.monotonic() + duration_s if duration_s > 0 else None
    last = time.monotonic()

    async def pump():
        nonlocal last
        async for ev in feed.events(markets):
            rec.add(ev)
            if time.monotonic() - last > progress_every_s:
                last = time.monotonic()
                s = feed.stats
                echo(t("record.progress", trades=rec.n_trades, books=rec.n_books, reconnects=s.reconnects,
                       dups=s.duplicates))
    try:
        if deadline is None:
            await pump()
        else:
            try:
                await asyncio.wait_for(pump(), timeout=duration_s)
            except asyncio.TimeoutError:
                pass
    finally:
        await feed.close()
        rec.flush()
    return rec


def main(argv: list[str]) -> int:
    from engine.app import hydra_command
    args, duration_s = _pop_flag(argv, "--duration-s", 0.0)
    args, flush_every = _pop_flag(args, "--flush-every", 500)

    def job(cfg) -> int:
        from omegaconf import OmegaConf

        from engine.i18n import t
        from registry import build
        node = OmegaConf.to_container(cfg.feed, resolve=True) if cfg.get("feed") is not None else {}
        if node.get("component") != "upbit_ws":
            node = {"component": "upbit_ws"}   # record always listens to Upbit; other feeds replay files
        # the recording is the raw prints and books: bars are rebuilt from them offline, and history candles
        # fetched for a warm-up would only be thrown away
        node = {**node, "bars_s": [], "warmup_bars": 0}
        feed = build("feed", node, path="feed")
        store = build("store", OmegaConf.to_container(cfg.store, resolve=True), path="store")
        markets = list(cfg.markets)
        try:
            rec = asyncio.run(record(feed, store, markets, duration_s, int(flush_every)))
        except KeyboardInterrupt:
            return 130
        finally:
            store.close()
        s = feed.stats
        print(t("record.done", trades=rec.n_trades, books=rec.n_books, reconnects=s.reconnects if s else 0,
                backfilled=s.backfilled if s else 0, store=cfg.store.get("path", cfg.store.component)))
        return 0
    return hydra_command("record", args, job)
