"""The liquidity universe in a paper session against the local exchange server: a REST scan of every KRW market
picks the opening set; at a forced UTC day boundary (injected clock) the session rescans, adds the new market to
the loop and the WebSocket subscription without restarting, stops entries in the dropped one and unsubscribes it
once it holds nothing."""


import registry
from components.universe.scan import MarketStat, choose, tier_of
from components.universe.liquidity import LiquidityUniverse

DAY_MS = 86_400_000
T0 = 1_765_000_000_000 // DAY_MS * DAY_MS + 3_600_000           # 01:00 UTC (10:00 KST) of some day


def test_choose_ranks_liquid_markets_and_keeps_new_listings_apart():
    p = LiquidityUniverse.Params(min_value_krw_24h=1e9, max_spread_bps=20, top_k=1, new_listings=1,
                                 tiers=["mid", "high"])
    stats = [MarketStat("KRW-A", 5e9, 5, 0.1, tier_of(0.1, (0.05, 0.3))),
             MarketStat("KRW-B", 9e9, 5, 0.2, "mid"),
             MarketStat("KRW-C", 9e9, 50, 0.2, "mid"),                       # spread too wide
             MarketStat("KRW-D", 2e10, 5, 0.01, "low"),                      # tier not traded
             MarketStat("KRW-E", 3e9, 5, 0.5, "high", new_listing=True),
             MarketStat("KRW-F", 1e8, 5, 0.2, "mid")]                        # too little value
    assert choose(stats, p) == ["KRW-B", "KRW-E"]
    why = {s.market: s.why for s in stats}
    assert why == {"KRW-A": "rank", "KRW-B": "", "KRW-C": "spread", "KRW-D": "tier:low", "KRW-E": "", "KRW-F": "value"}


def _cfg(server, tmp_path, *extra, feed=None):
    from engine.app import compose, job_config
    registry.load_all()
    feed = feed or ["feed=upbit_ws", f"feed.url={server.ws_url}", f"feed.rest_url={server.base_url}"]
    return job_config(compose([
        "mode=paper", *feed,
        f"store.path={tmp_path / 'scalp.db'}", "markets=[KRW-DAWN,KRW-STX,KRW-ADA]",
        "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]", "towers.random_entry.entry_rate=0.5",
        "entry=prob_threshold", "fill_model=queue_conservative", "ui.lang=en", "universe=liquidity",
        "universe.min_value_krw_24h=0", "universe.max_spread_bps=10000", "universe.max_volatility_pct=100",
        "universe.volatility_candles=60", "universe.volatility_candle_s=1", "universe.top_k=2", "universe.markets=[KRW-DAWN,KRW-STX]", *extra]))


def test_scan_reads_every_krw_market_of_the_server(server, tmp_path):
    from engine.live.bridge import AsyncBridge
    u = registry.build("universe", {"component": "liquidity", "min_value_krw_24h": 0, "max_spread_bps": 1e4,
                                    "max_volatility_pct": 100, "volatility_candles": 60,
                                    "volatility_candle_s": 1}, path="universe")
    rest = registry.build("exchange", {"component": "upbit", "base_url": server.base_url}, path="exchange")
    bridge = AsyncBridge()
    try:
        picked = bridge.call(u.rescan(rest, T0), 30)
        bridge.call(rest.close(), 5)
    finally:
        bridge.close()
    krw = sorted(m for m in server.state.market.markets if m.startswith("KRW-"))
    assert sorted(s.market for s in u.last_scan) == krw and picked
    for s in u.last_scan:
        if s.selected:
            assert s.spread_bps > 0 and s.volatility_pct >= 0 and s.tier in ("low", "mid", "high")
    midnight = (T0 // DAY_MS + 1) * DAY_MS                          # 00:00 UTC = 09:00 KST, Upbit's day boundary
    assert not u.due(midnight - 1) and u.due(midnight)


def test_session_adds_and_drops_markets_at_the_day_boundary(server, tmp_path, monkeypatch, session_hook):
    import engine.backtest
    from engine.live.runner import run_session
    from engine.loop.core import NEVER
    built = {}
    real = engine.backtest.build_universe
    monkeypatch.setattr(engine.backtest, "build_universe", lambda cfg: built.setdefault("u", real(cfg)))
    clock = {"ms": T0}
    moved = {}

    def next_day(ctx, now_s):
        """Once the session trades its opening set (first scan done, events in), the market moves overnight:
        tomorrow's candidates differ and 09:00 KST passes. Stop once ADA was decided on and 4 s went by (the
        old markets' decisions and unsubscription happen meanwhile). Driven by what the session did, not by
        timers from the call, which a loaded machine's start-up could outrun."""
        if "at_s" not in moved:
            if ctx.result.events >= 20:
                u = built["u"]
                u.p = u.p.model_copy(update={"markets": ["KRW-STX", "KRW-ADA"]})
                clock["ms"] = T0 + DAY_MS
                moved["at_s"] = now_s
        elif ctx.loop.last_decision_ms.get("KRW-ADA", NEVER) > NEVER and now_s - moved["at_s"] >= 4.0:
            ctx.stop.set()
    session_hook(on_tick=next_day)
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "u.db")}, path="store")
    res = run_session(_cfg(server, tmp_path), "paper", store=store, clock_ms=lambda: clock["ms"],
                      duration_s=90)        # the hook stops it; the duration only bounds a session that never got there
    assert res.status == "done" and not res.error
    assert "at_s" in moved, f"the session never got 20 events ({res.events})"
    assert len(res.daily.scans) == 2, ("no rescan after the day boundary", res.daily.scans)
    first, second = res.daily.scans
    assert first["markets"] == ["KRW-DAWN", "KRW-STX"] and first["added"] == []
    assert second["added"] == ["KRW-ADA"] and second["dropped"] == ["KRW-DAWN"], (second, [(s.market, s.why, s.volatility_pct, s.spread_bps) for s in built["u"].last_scan])
    assert "KRW-ADA" in res.loop.markets                               # joined the running loop
    decisions = store.records("decisions", res.run_id)
    first_ada = next(i for i, r in enumerate(decisions) if r["market"] == "KRW-ADA")   # live ADA events arrived
    later_dawn = [r for r in decisions[first_ada:] if r["market"] == "KRW-DAWN"]
    assert all(r["action"] != "enter" for r in later_dawn)             # no new entries in the dropped market
    held = res.loop.execution.positions["KRW-DAWN"].volume > 0
    # the dropped market stays subscribed (its position managed) only while it holds something
    assert ("KRW-DAWN" in res.daily.subscribed) == held
    assert {"KRW-STX", "KRW-ADA"} <= set(res.daily.subscribed)
    store.close()


def test_validate_paper_refuses_a_daily_universe_on_a_feed_that_cannot_resubscribe(server, tmp_path):
    from engine.validate import validate_config
    assert [p for p, _ in validate_config(_cfg(server, tmp_path))] == []
    problems = dict(validate_config(_cfg(server, tmp_path, feed=["feed=replay"])))
    assert "rescans daily" in problems["universe"] and "feed=replay" in problems["universe"]
