"""ticker_book_mismatch: real 2021 last trade vs book mid; STX stays within 0.5 %, ANKR (coarse tick) does not."""
import numpy as np

from components.types.feed.loaders import load_books, load_trades
from components.types.metric_names import BOOK_MID_PRICE, LAST_TRADE_PRICE, per_market


def replay(sw, shared_data, snap, metrics, market):
    d = shared_data / "upbit" / "ticks_2021"
    tr = load_trades(d / f"trades_{market}.csv.gz", market)
    b = load_books(d / f"orderbook_{market}.csv.gz", market)
    mids = (b.ask_px[:, 0] + b.bid_px[:, 0]) / 2
    fired, gaps, trips = [], [], []
    for i, t in enumerate(b.ts_ms):
        j = np.searchsorted(tr.ts_ms, t, "right") - 1
        if j < 0:
            continue
        m = metrics({per_market(LAST_TRADE_PRICE, market): float(tr.price[j]),
                     per_market(BOOK_MID_PRICE, market): float(mids[i])})
        trip = sw.check(m, snap(markets=(market,)), int(t))
        fired.append(trip is not None)
        gaps.append(abs(tr.price[j] - mids[i]) / mids[i] * 100)
        if trip:
            trips.append(trip)
    return fired, np.array(gaps), trips


def test_real_gaps_match_reference(build, say, snap, metrics, shared_data):
    fired, gaps, trips = replay(build("ticker_book_mismatch"), shared_data, snap, metrics, "KRW-STX")
    assert fired == list(gaps > 0.5) and not trips
    fired, gaps, trips = replay(build("ticker_book_mismatch", max_gap_pct=0.2), shared_data, snap, metrics, "KRW-STX")
    assert fired == list(gaps > 0.2) and trips
    fired, gaps, trips = replay(build("ticker_book_mismatch"), shared_data, snap, metrics, "KRW-ANKR")
    assert fired == list(gaps > 0.5) and trips
    assert trips[0].action == "block_entries" and trips[0].market == "KRW-ANKR"
    assert "KRW-ANKR: last trade vs book mid differ by" in say(trips[0])
