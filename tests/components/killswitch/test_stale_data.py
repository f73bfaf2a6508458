"""stale_data: real KRW-DAWN trade gaps seen from the book clock; a market never seen is not judged."""
import numpy as np

from components.types.feed.loaders import load_books, load_trades
from components.types.metric_names import LAST_EVENT_TS_MS, per_market


def test_real_trade_gaps(build, say, snap, metrics, shared_data):
    d = shared_data / "upbit" / "ticks_2021"
    trades = load_trades(d / "trades_KRW-DAWN.csv.gz", "KRW-DAWN").ts_ms
    books = load_books(d / "orderbook_KRW-DAWN.csv.gz", "KRW-DAWN").ts_ms
    sw = build("stale_data", max_age_s=3)
    fired, expect, first = [], [], None
    for t in books:
        j = np.searchsorted(trades, t, "right") - 1
        if j < 0:
            continue
        trip = sw.check(metrics({per_market(LAST_EVENT_TS_MS, "KRW-DAWN"): float(trades[j])}),
                        snap(markets=("KRW-DAWN", "KRW-ADA")), int(t))
        fired.append(trip is not None)
        expect.append(t - trades[j] > 3000)
        first = first or trip
    assert fired == expect and any(expect)
    assert first.market == "KRW-DAWN" and first.action == "block_entries"
    assert "KRW-DAWN: no market data for" in say(first)
    assert not any(build("stale_data").check(metrics({per_market(LAST_EVENT_TS_MS, "KRW-DAWN"): float(trades[0])}),
                                             snap(markets=("KRW-DAWN",)), int(trades[0]) + 59_000) for _ in [0])
