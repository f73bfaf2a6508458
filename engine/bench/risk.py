"""`scalp bench risk [--json] [--calls=N] [--quick]`: cost of the risk layer per call (standard kill switches over 4
markets, entry gate + sizing, the 5-exit chain) — medians of wall time, microseconds.

Inputs are synthetic but shaped like a live run: per-market metrics change every call (counter grows,
spread moves, one sample per second), so the rolling switches do their real work.
"""
from __future__ import annotations

import json
import math
import platform
import time

import numpy as np


def _arg(argv: list[str], name: str, default: int) -> int:
    for a in argv:
        if a.startswith(f"--{name}="):
            return int(a.split("=", 1)[1])
    return default


def run(calls: int = 20_000) -> dict:
    import registry
    from components.types.metric_names import (BOOK_MID_PRICE, HURST, LAST_EVENT_TS_MS, LAST_TRADE_PRICE,
                                               SPREAD_PCT, TRADED_KRW, per_market)
    from components.types.metrics import Metrics
    from components.types.orders import Fill, Position
    from engine.app import compose
    from engine.risk import RiskManager
    registry.load_all()
    cfg = compose(["killswitches=standard", "exits=[hard_stop,ev_trail,time_stop,profit_target,fee_floor]",
                   "run.name=bench"])
    rm = RiskManager.from_config(cfg)
    markets, m, rng = list(cfg.markets), Metrics(), np.random.default_rng(0)
    t0 = 1_756_684_800_000
    for mk in markets:
        m.set(per_market(LAST_TRADE_PRICE, mk), 100.0)
        m.set(per_market(BOOK_MID_PRICE, mk), 100.0)
        m.set(per_market(HURST, mk), 0.7)
    ev = np.empty(calls)
    for i in range(calls):
        ts = t0 + i * 1000
        for mk in markets:
            m.set(per_market(LAST_EVENT_TS_MS, mk), ts)
            m.inc(per_market(TRADED_KRW, mk), 1e6 * (1 + rng.random()))
            m.set(per_market(SPREAD_PCT, mk), 0.05 * (1 + rng.random()))
        s = time.perf_counter()
        rm.on_account(ts, 1e6, 1e6, {})
        rm.evaluate(m, ts)
        ev[i] = time.perf_counter() - s
    ce = np.empty(calls)
    for i in range(calls):
        s = time.perf_counter()
        rm.check_entry("KRW-BTC", t0 + (calls + i) * 1000, 0.85, 1e6)
        ce[i] = time.perf_counter() - s
    pos = Position("KRW-BTC")
    pos.apply(Fill("KRW-BTC", "o", "bid", 1e8, 0.001, 50.0, t0))
    cx = np.empty(calls)
    for i in range(calls):
        px = 1e8 * (1 + 0.001 * math.sin(i))
        s = time.perf_counter()
        rm.check_exit(pos, px, t0 + i)
        cx[i] = time.perf_counter() - s
    us = lambda a: round(float(np.median(a)) * 1e6, 2)  # noqa: E731
    return {"calls": calls, "switches": len(rm.switches), "markets": len(markets),
            "evaluate_us_median": us(ev), "evaluate_us_p99": round(float(np.percentile(ev, 99)) * 1e6, 2),
            "check_entry_us_median": us(ce), "check_exit_us_median": us(cx),
            "machine": platform.processor() or platform.machine(), "python": platform.python_version()}


def main(argv: list[str]) -> int:
    out = run(_arg(argv, "calls", 1_000 if "--quick" in argv else 20_000))
    if "--json" in argv:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0
