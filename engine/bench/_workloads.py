"""The measured workloads as config: the peers' quoting workload (quote_touch) and the rule baseline on 1m candles."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PEERS_EVENTS = 47_380           # ../shared/bench/peers/README.md: trades + snapshots of both symbols

# The peers' one-order workload: 0.001 post-only at the touch on KRW-BTC (= BTCUSDT) every 1 s, ETH replayed;
# the risk-averse queue fill model with zero latency, the peers' 0.01 tick and no KRW minimum (prices are USDT).
PEERS_QUOTE = ["markets=[KRW-BTC,KRW-ETH]", "entry=quote_touch", "entry.markets=[KRW-BTC]", "entry.volume=0.001",
               "entry.requote_interval_ms=1000", "features=[]", "towers=[]", "killswitches=[]", "exits=[]",
               "fill_model=queue_conservative", "fill_model.order_latency_ms=0", "exchange.min_total_krw=0",
               "+exchange.tick_sizes.KRW-BTC=0.01", "+exchange.tick_sizes.KRW-ETH=0.01", "+orders.min_order_krw=0",
               "initial_krw=1000000000", "ui.lang=en"]

# The README's no-training rule baseline on KRW-BTC 1m, 2025-09-01 .. 2025-09-26 (core_bar, standard kill
# switches, the default exits and bar fill model); the store stays on as in `scalp backtest`.
RULE_START, RULE_END, RULE_QUICK_END = "2025-09-01T00:00:00Z", "2025-09-27T00:00:00Z", "2025-09-02T00:00:00Z"
RULE_BASELINE = ["towers=[momentum_rule]", "entry=prob_threshold", "features=core_bar", "killswitches=standard",
                 "markets=[KRW-BTC]", f"feed.start={RULE_START}", "ui.lang=en"]


def shared_data() -> Path:
    return Path(os.environ.get("SCALP_SHARED_DATA", ROOT.parent / "shared" / "data"))


def peers_streams(data: Path | None = None) -> dict | None:
    """The peers' Binance BTCUSDT/ETHUSDT trades + 15-level books as KRW-BTC/KRW-ETH streams (None if absent)."""
    from components.types.feed.loaders import load_books, load_trades
    from components.types.stream import MarketStream
    d = (data or shared_data()) / "binance_spot"
    if not d.is_dir():
        return None
    out = {}
    for sym, m in (("BTCUSDT", "KRW-BTC"), ("ETHUSDT", "KRW-ETH")):
        tr = dataclasses.replace(load_trades(d / f"trades_{sym}.csv.gz", sym), market=m)
        bk = dataclasses.replace(load_books(d / f"orderbook_{sym}.csv.gz", sym), market=m)
        out[m] = MarketStream.build(m, trades=tr, books=bk)
    return out


def compose_job(overrides: list[str]) -> Any:
    """The job's config as `scalp backtest` has it: composed, and its settings parsed once (job_start)."""
    import registry
    from engine.app import compose, job_config
    from engine.settings import job_start
    registry.load_all()
    cfg = job_config(compose(overrides))
    job_start(cfg)
    return cfg


def peers_quote_config(extra: list[str] | None = None) -> Any:
    return compose_job(PEERS_QUOTE + list(extra or []))


def rule_config(store_path: str, quick: bool = False, data: Path | None = None, extra: tuple[str, ...] = ()) -> Any:
    end = RULE_QUICK_END if quick else RULE_END
    return compose_job(RULE_BASELINE + [f"feed.path={(data or shared_data()) / 'upbit'}", f"feed.end={end}",
                                        f"store.path={store_path}", *extra])
