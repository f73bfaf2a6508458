"""upbit_ws against the local server replaying real 1m candles: REST warm-up candles first, then bars built from
the live trades — every one equal to the recorded candle of that minute, none repeated or lost at the seam."""
import asyncio
import time

import numpy as np
import pytest

import registry

MARKETS = ["KRW-BTC", "KRW-XRP"]
WARMUP = 50


@pytest.fixture(scope="module")
def candle_server(bundled_data):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    cfg = ServerConfig(port=0, source={"kind": "candles", "path": str(bundled_data / "upbit"), "markets": MARKETS,
                                       "speed": 120, "loop": False, "max_candles": 300, "prefill_s": 120 * 60})
    srv = RunningServer(cfg)
    deadline = time.monotonic() + 20
    while len(srv.state.market.stats["KRW-BTC"].history) < 4 * 118:
        assert time.monotonic() < deadline, "server did not fill its history"
        time.sleep(0.05)
    yield srv
    srv.stop()


def _collect(feed, live_bars: int, limit_s: float = 15.0) -> list:
    async def run():
        out, seen = [], 0
        t0 = time.monotonic()
        async for ev in feed.events(MARKETS):
            out.append(ev)
            seen += getattr(ev, "kind", None) == 0 and not ev.warmup
            if seen >= live_bars or time.monotonic() - t0 > limit_s:
                break
        await feed.close()
        return out
    return asyncio.run(run())


@pytest.mark.parametrize("stall_s", [0.0, 1.5])
def test_warm_up_then_live_bars_equal_the_recorded_candles(candle_server, bundled_data, monkeypatch, stall_s):
    """stall_s: the REST warm-up returns that much later (a slow host; 1.5 s = 3 replayed minutes): the trades
    in between must still reach the bars (the stream is subscribed before the warm-up)."""
    import components.feed.live_bars as lb
    from components.types.events import Candle
    from components.types.feed.loaders import load_candles
    registry.load_all()
    if stall_s:
        real = lb.warm_up

        async def slow(*a, **kw):
            got = await real(*a, **kw)
            await asyncio.sleep(stall_s)
            return got
        monkeypatch.setattr(lb, "warm_up", slow)
    feed = registry.build("feed", {"component": "upbit_ws", "url": candle_server.ws_url,
                                   "rest_url": candle_server.base_url, "warmup_bars": WARMUP, "bars_s": [60],
                                   "types": ["trade", "orderbook"]}, path="feed")
    assert "candle" in feed.provides(MARKETS)
    evs = _collect(feed, live_bars=6)
    candles = [e for e in evs if isinstance(e, Candle)]
    warm = [c for c in candles if c.warmup]
    n_warm = len(warm)
    assert candles[:n_warm] == warm                              # all history comes before any live event
    assert not any(getattr(e, "kind", 0) != 0 for e in evs[:n_warm])
    live = [c for c in candles if not c.warmup]
    assert len(live) >= 6
    for m in MARKETS:
        w = [c.ts_ms for c in warm if c.market == m]
        lv = [c.ts_ms for c in live if c.market == m]
        assert len(w) == WARMUP and w == sorted(w)
        assert lv and lv == sorted(lv) and lv[0] > w[-1]         # no duplicate bar at the seam
        ref = load_candles(bundled_data / f"upbit/candles_1m/{m}.csv.gz", m)
        at = {int(t): i for i, t in enumerate(ref.ts_ms)}
        for c in [c for c in candles if c.market == m]:
            i = at[c.ts_ms]
            got = [c.open, c.high, c.low, c.close, c.volume]
            want = [ref.open[i], ref.high[i], ref.low[i], ref.close[i], ref.volume[i]]
            np.testing.assert_allclose(got, want, rtol=1e-9, err_msg=f"{m} {c.ts_ms} warmup={c.warmup}")
        # consecutive recorded minutes: nothing lost between the last warm-up bar and the live ones
        span = [t for t in ref.ts_ms.tolist() if w[0] <= t <= lv[-1]]
        assert sorted(w + lv) == span
    # every live bar precedes the first event of a later minute (it is known at its close, not later)
    for i, e in enumerate(evs):
        if isinstance(e, Candle) and not e.warmup:
            later = [x for x in evs[i + 1:] if getattr(x, "market", None) == e.market and getattr(x, "kind", 0) == 1]
            assert all(x.ts_ms >= e.close_ms for x in later)


def test_a_market_the_server_lacks_costs_only_its_own_warm_up(candle_server, caplog):
    from components.feed.live_bars import warm_up
    from components.types.bars import BarBuilder
    registry.load_all()
    rest = registry.build("exchange", {"component": "upbit", "base_url": candle_server.base_url}, path="feed.rest_url")

    async def run():
        try:
            return await warm_up(rest, ["KRW-NOPE", "KRW-BTC"], [BarBuilder(60)], 20)
        finally:
            await rest.close()
    got = asyncio.run(run())
    assert len(got) == 20 and {c.market for c in got} == {"KRW-BTC"} and all(c.warmup for c in got)
    assert any("feed_warmup_failed" in r.message and "KRW-NOPE" in r.message for r in caplog.records)
