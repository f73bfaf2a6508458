"""liquidity universe: yesterday's value/volatility decide today, no look-ahead, entries gated in the loop."""
import numpy as np
import pytest

import registry
from components.types.feed.loaders import load_candles
from components.types.stream import MarketStream

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def streams(bundled_data):
    out = {}
    for m in ("KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL"):
        c = load_candles(bundled_data / "upbit" / "candles_1m" / f"{m}.csv.gz", m)
        out[m] = MarketStream.build(m, candles=c)
    return out


def _uni(**kw):
    return registry.build("universe", {"component": "liquidity", **kw}, path="universe")


def test_top_k_by_previous_day_value(streams):
    u = _uni(min_value_krw_24h=0, top_k=2)
    u.prepare(streams)
    days = sorted({d for _, d in u.daily})
    for d in days[:-1]:
        vals = sorted(((u.daily[(m, d)][0], m) for m in streams if (m, d) in u.daily), reverse=True)
        top = {m for _, m in vals[:2]}
        ts = (d + 1) * DAY_MS + 3_600_000
        assert {m for m in streams if u.allows(m, ts)} == top
    assert not any(u.allows(m, days[0] * DAY_MS + 1) for m in streams)     # first day: nothing known yet


def test_no_look_ahead(streams):
    a = _uni(min_value_krw_24h=0, top_k=1)
    a.prepare(streams)
    d1 = sorted({d for _, d in a.daily})[1]
    cut = {}
    for m, s in streams.items():       # drop everything from day d1 on: decisions for d1 must not change
        keep = np.flatnonzero(s.candles.ts_ms + 60_000 - 1 < d1 * DAY_MS)
        cut[m] = MarketStream.build(m, candles=s.candles.take(keep))
    b = _uni(min_value_krw_24h=0, top_k=1)
    b.prepare(cut)
    ts = d1 * DAY_MS + 10
    assert [a.allows(m, ts) for m in streams] == [b.allows(m, ts) for m in streams]


def test_volatility_band_and_validation():
    with pytest.raises(registry.ConfigError) as e:
        _uni(min_volatility_pct=1.0, max_volatility_pct=0.5)
    assert "universe" in str(e.value)


def test_loop_enters_only_allowed_markets(bundled_data):
    from engine.app import compose, job_config
    from engine.backtest import run_backtest
    registry.load_all()
    cfg = job_config(compose(["universe=liquidity", "universe.min_value_krw_24h=0", "universe.top_k=1",
                              "feed.end=2025-09-23T00:00:00Z", "towers=[random_entry]",
                              "towers.random_entry.entry_rate=0.05", "killswitches=[]"]))
    res = run_backtest(cfg, use_store=False, write_report=False)
    fills = [f for f in res.data.fills if f["side"] == "bid"]
    assert fills
    uni = registry.build("universe", cfg.universe, path="universe")
    feed = registry.build("feed", cfg.feed, path="feed")
    uni.prepare(feed.load(list(cfg.markets)))
    for f in fills:             # bar data: an entry fills exactly one order latency after its decision
        assert uni.allows(f["market"], f["ts_ms"] - int(cfg.fill_model.order_latency_ms))
