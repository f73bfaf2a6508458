"""direction (±0.05 % within 5 s) on real Binance trades; refused without trades."""
import numpy as np
import pytest

import registry
from components.types.feed.loaders import load_candles, load_trades
from components.types.stream import MarketStream


def test_direction_on_real_ticks_matches_brute_force(shared_data):
    registry.load_all()
    tr = load_trades(shared_data / "binance_spot" / "trades_BTCUSDT.csv.gz", "BTCUSDT")
    s = MarketStream.build("BTCUSDT", trades=tr)
    lab = registry.build("label", {"component": "direction", "threshold_pct": 0.01, "horizon_ms": 5000})
    idx = np.arange(0, len(s), 211)
    y, end = lab.compute(s, idx)
    for k, i in enumerate(idx):
        t = s.ts_ms[i]
        entry = tr.price[tr.ts_ms <= t][-1]
        after = (tr.ts_ms > t) & (tr.ts_ms <= t + 5000)
        px = tr.price[after]
        hit = np.flatnonzero((px >= entry * 1.0001) | (px <= entry * 0.9999))
        if len(hit):
            assert y[k] == (1.0 if px[hit[0]] >= entry * 1.0001 else 0.0)
            assert end[k] == tr.ts_ms[after][hit[0]]
        elif tr.ts_ms[-1] >= t + 5000:
            assert np.isnan(y[k])                   # no direction: dropped, not "down"
    assert np.isfinite(y).sum() > 10


def test_direction_refuses_a_candle_stream(shared_data):
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    s = MarketStream.build("KRW-BTC", candles=c.take(np.arange(100)))
    lab = registry.build("label", {"component": "direction"})
    with pytest.raises(ValueError, match="needs trades"):
        lab.compute(s, np.arange(10))
