"""spread_surge: real KRW-DAWN book spreads replayed; trips exactly where spread > 3x the rolling median."""
import numpy as np

from components.types.feed.loaders import load_books
from components.types.metric_names import SPREAD_PCT, per_market


def spreads(shared_data):
    b = load_books(shared_data / "upbit" / "ticks_2021" / "orderbook_KRW-DAWN.csv.gz", "KRW-DAWN")
    mid = (b.ask_px[:, 0] + b.bid_px[:, 0]) / 2
    return b.ts_ms.astype(np.int64), (b.ask_px[:, 0] - b.bid_px[:, 0]) / mid * 100


def replay(sw, ts, sp, snap, metrics):
    fired = []
    for i, (t, s) in enumerate(zip(ts, sp)):
        m = metrics({per_market(SPREAD_PCT, "KRW-DAWN"): float(s)})
        if sw.check(m, snap(markets=("KRW-DAWN",)), int(t)):
            fired.append(i)
    return fired


def reference(ts, sp, ratio=3.0, window_ms=600_000, sample_ms=1000, min_samples=10):
    kept, fired = [], []
    for i, (t, s) in enumerate(zip(ts, sp)):
        kept = [(u, v) for u, v in kept if u >= t - window_ms]
        if len(kept) >= min_samples and s > ratio * np.median([v for _, v in kept]):
            fired.append(i)
        if not kept or t - kept[-1][0] >= sample_ms:
            kept.append((t, s))
    return fired


def test_real_spreads_match_reference(build, snap, metrics, shared_data):
    ts, sp = spreads(shared_data)
    sw = build("spread_surge", min_samples=10)
    assert replay(sw, ts, sp, snap, metrics) == reference(ts, sp)


def test_injected_surge_trips_that_market_only(build, say, snap, metrics, shared_data):
    ts, sp = spreads(shared_data)
    sp = sp.copy()
    sp[-1] = np.median(sp) * 5
    sw = build("spread_surge", min_samples=10)
    fired = replay(sw, ts, sp, snap, metrics)
    assert fired[-1] == len(sp) - 1
    sw2 = build("spread_surge", min_samples=10)
    for t, s in zip(ts[:-1], sp[:-1]):
        sw2.check(metrics({per_market(SPREAD_PCT, "KRW-DAWN"): float(s)}), snap(markets=("KRW-DAWN",)), int(t))
    trip = sw2.check(metrics({per_market(SPREAD_PCT, "KRW-DAWN"): float(sp[-1])}),
                     snap(markets=("KRW-DAWN", "KRW-ADA")), int(ts[-1]))
    assert trip.market == "KRW-DAWN" and trip.action == "block_entries"
    assert say(trip).startswith("KRW-DAWN: spread ") and "x its median (limit 3.0x)" in say(trip)
