"""volume_dryup: real KRW-BTC traded value (counter); trips exactly where the last 5 min < 0.5x the hourly rate."""
import numpy as np
import pytest

import registry
from components.types.feed.loaders import load_candles
from components.types.metric_names import TRADED_KRW, per_market

N = 4000   # ~3 days of minutes keeps the test fast


def test_real_volume_matches_reference(build, say, snap, metrics, shared_data):
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    ts = (c.ts_ms[:N] + 60_000).astype(np.int64)           # known at the bar's close
    cum = np.cumsum(c.close[:N] * c.volume[:N])
    sw = build("volume_dryup")
    fired, trips = [], []
    for i in range(N):
        trip = sw.check(metrics({per_market(TRADED_KRW, "KRW-BTC"): float(cum[i])}), snap(markets=("KRW-BTC",)),
                        int(ts[i]))
        if trip:
            fired.append(i)
            trips.append(trip)
    expect = []
    for i in range(N):
        jb = np.searchsorted(ts, ts[i] - 3_600_000, "right") - 1
        jr = np.searchsorted(ts, ts[i] - 300_000, "right") - 1
        if jb < 0:
            continue
        base = (cum[i] - cum[jb]) * 300 / 3600
        if base > 0 and (cum[i] - cum[jr]) / base < 0.5:
            expect.append(i)
    assert fired == expect and len(fired) > 0
    assert trips[0].action == "block_entries" and trips[0].market == "KRW-BTC"
    assert "x its baseline (floor 0.5x): no entries" in say(trips[0])


def test_windows_validated(build):
    with pytest.raises(registry.ConfigError, match="baseline_s must be longer than recent_s"):
        build("volume_dryup", recent_s=3600, baseline_s=600)
