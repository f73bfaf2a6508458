"""Bars built from the live trade stream equal bars built offline from the same real trades (2021 captures)."""
import asyncio
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from components.types.bars import BarBuilder
from components.types.events import Trade


def _trade_files(bundled_data, shared_data_dir):
    for root in (shared_data_dir / "upbit/ticks_2021", bundled_data / "upbit/ticks_2021"):
        files = sorted(root.glob("trades_KRW-*.csv.gz"))
        if files:
            return files
    pytest.skip("no 2021 trade captures")


@pytest.fixture
def trades(bundled_data):
    import os
    shared = Path(os.environ.get("SCALP_SHARED_DATA", "/work/shared/data"))
    out = {}
    for f in _trade_files(bundled_data, shared):
        df = pd.read_csv(f)
        out[f.name[len("trades_"):-len(".csv.gz")]] = df
    return out


def _offline(df: pd.DataFrame, interval_s: int) -> pd.DataFrame:
    """Independent reference: a vectorised groupby over [t, t + interval) buckets, rows in file order."""
    step = interval_s * 1000
    g = df.assign(start=df.ts_ms // step * step, value=df.price * df.volume).groupby("start", sort=True)
    return pd.DataFrame({"open": g.price.first(), "high": g.price.max(), "low": g.price.min(),
                         "close": g.price.last(), "volume": g.volume.sum(), "value": g.value.sum()})


def _live(market: str, df: pd.DataFrame, interval_s: int) -> pd.DataFrame:
    b = BarBuilder(interval_s)
    bars = []
    for i, r in enumerate(df.itertuples(index=False)):
        bars += b.on_trade(Trade(market, int(r.ts_ms), float(r.price), float(r.volume),
                                 1 if r.side == "BID" else -1, int(r.seq)))
    bars += b.flush()
    assert b.late == 0 and b.invalid == 0
    return pd.DataFrame({"open": [c.open for c in bars], "high": [c.high for c in bars], "low": [c.low for c in bars],
                         "close": [c.close for c in bars], "volume": [c.volume for c in bars],
                         "value": [c.value_krw for c in bars]}, index=pd.Index([c.ts_ms for c in bars], name="start"))


@pytest.mark.parametrize("interval_s", [1, 60])
def test_live_bars_equal_offline_bars_of_the_same_trades(trades, interval_s):
    checked = 0
    for market, df in trades.items():
        live, offline = _live(market, df, interval_s), _offline(df, interval_s)
        assert list(live.index) == list(offline.index)              # no bar for an interval without trades
        np.testing.assert_allclose(live.to_numpy(), offline.to_numpy(), rtol=1e-12)
        checked += len(live)
    assert checked > (10 if interval_s == 60 else 200)


def test_quiet_market_closes_by_the_clock_and_late_trades_stay_out():
    b = BarBuilder(60, grace_ms=2000)
    assert b.on_trade(Trade("KRW-A", 60_500, 10.0, 1.0, 1, 1)) == []
    assert b.on_clock(121_999) == []                        # end 120 000 + grace not yet passed
    (bar,) = b.on_clock(122_000)
    assert (bar.ts_ms, bar.open, bar.close, bar.volume, bar.close_ms) == (60_000, 10.0, 10.0, 1.0, 120_000)
    assert b.on_trade(Trade("KRW-A", 119_000, 11.0, 1.0, 1, 2)) == [] and b.late == 1   # its bar is gone
    assert b.flush() == []


def test_seeded_bar_does_not_count_trades_twice():
    from components.types.events import Candle
    b = BarBuilder(60)
    b.seed(Candle("KRW-A", 60_000, 10.0, 12.0, 9.0, 11.0, 3.0, 33.0, 60), last_trade_ms=70_000)
    b.on_trade(Trade("KRW-A", 70_000, 11.0, 1.0, 1, 5))     # already inside the REST candle
    b.on_trade(Trade("KRW-A", 80_000, 13.0, 2.0, 1, 6))
    (bar,) = b.on_trade(Trade("KRW-A", 125_000, 13.0, 1.0, 1, 7))
    assert (bar.ts_ms, bar.high, bar.close, bar.volume, bar.value_krw) == (60_000, 13.0, 13.0, 5.0, 59.0)
    assert b.on_trade(Trade("KRW-A", 59_000, 1.0, 1.0, 1, 8)) == [] and b.late == 1   # before the seam


def test_with_bars_inserts_each_bar_before_the_trade_that_closed_it():
    from components.feed.live_bars import with_bars

    async def src():
        for ts, px in ((1_000, 5.0), (30_000, 6.0), (61_000, 7.0)):
            yield Trade("KRW-A", ts, px, 1.0, 1, ts)

    async def collect():
        return [ev async for ev in with_bars(src(), [BarBuilder(60)])]
    evs = asyncio.run(collect())
    kinds = [type(e).__name__ for e in evs]
    assert kinds == ["Trade", "Trade", "Candle", "Trade"]
    assert (evs[2].open, evs[2].close, evs[2].close_ms) == (5.0, 6.0, 60_000)


def test_traded_value_is_not_counted_twice_when_bars_come_from_the_trades():
    from components.types.events import Candle
    from components.types.metrics import Metrics
    from engine.loop.market import MarketData
    md = MarketData(["KRW-A", "KRW-B"], {}, Metrics())
    b = BarBuilder(60)
    for ts, px in ((1_000, 10.0), (2_000, 12.0)):
        ev = Trade("KRW-A", ts, px, 2.0, 1, ts)
        md.observe("KRW-A", ev, ev.kind, ts)
        b.on_trade(ev)
    (bar,) = b.flush()
    md.observe("KRW-A", bar, bar.kind, bar.close_ms)
    only_bars = Candle("KRW-B", 0, 5.0, 5.0, 5.0, 5.0, 3.0, 15.0, 60)    # a candle-only market still counts
    md.observe("KRW-B", only_bars, only_bars.kind, 60_000)
    assert md.metrics.get(md.keys["KRW-A"].traded) == 44.0 and md.metrics.get(md.keys["KRW-B"].traded) == 15.0


def test_any_event_of_the_market_past_the_bar_end_closes_it():
    """A book stamped at the bar's end closes the bar before it, as a replay of the recorded candle (at its
    close) orders them; an event of another market or before the end does not."""
    b = BarBuilder(60)
    b.on_trade(Trade("KRW-A", 1_000, 100.0, 1.0, 1, 1))
    assert b.on_time("KRW-B", 60_000) == [] and b.on_time("KRW-A", 59_999) == []
    (bar,) = b.on_time("KRW-A", 60_000)
    assert (bar.market, bar.ts_ms, bar.close) == ("KRW-A", 0, 100.0) and "KRW-A" not in b.open
