"""bars_from=trade: candle features on time bars built from trades equal the same feature on pandas-resampled bars."""
import numpy as np
import pandas as pd
import pytest

import registry
from components.types.events import CandleBatch
from components.types.stream import MarketStream


def _bars(trades, bar_s):
    df = pd.DataFrame({"bar": trades.ts_ms // (bar_s * 1000), "p": trades.price, "v": trades.volume})
    g = df.groupby("bar", sort=True)
    ohlc = pd.DataFrame({"o": g.p.first(), "h": g.p.max(), "l": g.p.min(), "c": g.p.last(), "v": g.v.sum()})
    first_trade = g.p.head(1).index.to_numpy()      # trade index of each bar's first trade
    return ohlc, first_trade


@pytest.mark.parametrize("node", [{"component": "rsi_14", "window_bars": 5}, {"component": "atr_pct"},
                                  {"component": "mfi_14", "window_bars": 6}])
@pytest.mark.parametrize("bar_s", [2, 15])
def test_trade_bars_equal_resampled_candles(node, bar_s, binance, tick_stream):
    trades, _ = binance
    ohlc, first = _bars(trades, bar_s)
    # the same feature on the resampled bars as candles; bar k is known when bar k+1's first trade arrives
    done = ohlc.iloc[:-1]
    cb = CandleBatch("X", (done.index.to_numpy() * bar_s * 1000).astype(np.int64), done.o.to_numpy(),
                     done.h.to_numpy(), done.l.to_numpy(), done.c.to_numpy(), done.v.to_numpy(),
                     np.full(len(done), np.nan), bar_s)
    ref = registry.build("feature", node).batch(MarketStream.build("X", candles=cb))[:, 0]
    got = registry.build("feature", {**node, "bars_from": "trade", "bar_s": bar_s}).batch(tick_stream)[:, 0]
    trade_rows = np.nonzero(tick_stream.kind == 1)[0]
    emit_rows = trade_rows[first[1:]]                 # stream row where bar k (k = 0..m-2) completes
    np.testing.assert_allclose(got[emit_rows], ref, rtol=1e-9, equal_nan=True)
    assert np.isfinite(ref).sum() > 10
    # between completions the value holds
    held = np.maximum.accumulate(np.where(np.isin(np.arange(len(got)), emit_rows), np.arange(len(got)), 0))
    ok = held >= emit_rows[0]
    np.testing.assert_array_equal(got[ok], got[held[ok]])


def test_trade_bar_instances_need_trades_not_candles():
    f = registry.build("feature", {"component": "rsi_14", "bars_from": "trade"})
    assert f.needs == {"trade"} and f.listen_kinds == {"trade"}
    assert registry.build("feature", {"component": "rsi_14"}).needs == {"candle"}
