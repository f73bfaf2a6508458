"""The live daily scan of the liquidity universe: every KRW market over REST (market/all, ticker, orderbook, 1m
candles) -> traded value, spread, volatility tier, new listing -> the traded set of the day."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DAY_MS = 86_400_000      # Upbit's candle/ticker day starts 00:00 UTC = 09:00 KST (UPBIT_API.md)
TIERS = ("low", "mid", "high")


@dataclass
class MarketStat:
    """One KRW market at a scan: 24 h traded value, top-of-book spread, stdev of 1m log returns, its class."""
    market: str
    value_krw_24h: float
    spread_bps: float = math.nan
    volatility_pct: float = math.nan
    tier: str = ""
    new_listing: bool = False
    selected: bool = False
    why: str = ""


def tier_of(vol_pct: float, bounds_pct: tuple[float, float]) -> str:
    if not math.isfinite(vol_pct):
        return ""
    return TIERS[int(vol_pct >= bounds_pct[0]) + int(vol_pct >= bounds_pct[1])]


def volatility_pct(candles: list[dict]) -> float:
    """Stdev of log returns (percent) of REST candles (newest first, as Upbit sends them)."""
    px = [float(c["trade_price"]) for c in sorted(candles, key=lambda c: c.get("timestamp", 0) or c.get(
        "candle_date_time_utc", ""))]
    r = np.diff(np.log(np.asarray(px, float))) if len(px) > 2 else np.zeros(0)
    return float(np.std(r) * 100) if len(r) > 1 else math.nan


def choose(stats: list[MarketStat], p) -> list[str]:
    """Mark and return the traded set: liquid (value, spread) markets in an allowed volatility tier, the `top_k`
    by value; new listings are their own class: at most `new_listings` of them (by value), never in top_k."""
    ok, fresh = [], []
    for s in stats:
        if s.value_krw_24h < p.min_value_krw_24h:
            s.why = "value"
        elif not (math.isfinite(s.spread_bps) and s.spread_bps <= p.max_spread_bps):
            s.why = "spread"
        elif not (math.isfinite(s.volatility_pct) and p.min_volatility_pct <= s.volatility_pct <= p.max_volatility_pct):
            s.why = "volatility"
        elif s.tier not in p.tiers:
            s.why = f"tier:{s.tier}"
        else:
            (fresh if s.new_listing else ok).append(s)
    ok.sort(key=lambda s: -s.value_krw_24h)
    fresh.sort(key=lambda s: -s.value_krw_24h)
    picked = ok[: p.top_k or len(ok)] + fresh[: p.new_listings]
    for s in picked:
        s.selected = True
    for s in ok + fresh:
        if not s.selected:
            s.why = "rank"
    return sorted(s.market for s in picked)


async def scan(rest, p, known: set[str] | None,
               candidates: list[str] | None = None) -> tuple[list[MarketStat], set[str]]:
    """(stats, every KRW market listed): ticker value of all KRW markets (or `candidates`), then book spread and
    volatility for the ones liquid enough (at most `scan_max_markets` of them, by value, so a scan stays within
    the rate limits). A market listed now but not in `known` (the previous scan's listing) is a new listing."""
    every = {m["market"] for m in await rest.markets() if str(m.get("market", "")).startswith("KRW-")}
    listed = sorted(every if candidates is None else every & set(candidates))
    tickers = {t["market"]: t for t in await rest.ticker(listed)} if listed else {}
    stats = [MarketStat(m, float(tickers.get(m, {}).get("acc_trade_price_24h") or 0.0),
                        new_listing=known is not None and m not in known) for m in listed]
    liquid = sorted((s for s in stats if s.value_krw_24h >= p.min_value_krw_24h), key=lambda s: -s.value_krw_24h)
    liquid = liquid[: p.scan_max_markets]
    if liquid:
        for b in await rest.orderbook([s.market for s in liquid]):
            top = (b.get("orderbook_units") or [{}])[0]
            bid, ask = float(top.get("bid_price") or 0), float(top.get("ask_price") or 0)
            s = next(s for s in liquid if s.market == b.get("market"))
            if bid > 0 and ask > 0:
                s.spread_bps = (ask - bid) / (0.5 * (ask + bid)) * 1e4
    for s in liquid:
        unit = ("minutes", 1) if p.volatility_candle_s == 60 else ("seconds", 1)
        s.volatility_pct = volatility_pct(await rest.candles(s.market, unit[0], unit[1], count=p.volatility_candles))
        s.tier = tier_of(s.volatility_pct, tuple(p.tier_bounds_pct))
    choose(stats, p)
    return stats, every
