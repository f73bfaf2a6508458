"""cancel_rate (inferred) against a plain-Python dictionary reference on real Binance trades + books."""
import numpy as np
import pytest

import registry
from components.types.events import BOOK


def reference(stream, K, window_ms):
    b, t = stream.books, stream.trades
    prev, trades, hist, out = None, [], [], []
    for kind, r in zip(stream.kind, stream.row):
        if kind == 1:
            trades.append((t.price[r], t.volume[r], t.side[r]))
            continue
        if kind != 2:
            continue
        cur = ({p: s for p, s in zip(b.bid_px[r, :K], b.bid_sz[r, :K])},
               {p: s for p, s in zip(b.ask_px[r, :K], b.ask_sz[r, :K])})
        if prev is not None:
            cancelled = shown = 0.0
            for side, taker in ((0, -1), (1, 1)):          # bids are hit by taker ASK, asks lifted by taker BID
                for p, s0 in prev[side].items():
                    shown += s0
                    if p in cur[side]:
                        traded = sum(v for tp, v, sd in trades if tp == p and sd == taker)
                        cancelled += max(0.0, s0 - cur[side][p] - traded)
            ts = b.ts_ms[r]
            hist = [(h_ts, c, d) for h_ts, c, d in hist if h_ts > ts - window_ms] + [(ts, cancelled, shown)]
            out.append(sum(c for _, c, _ in hist) / sum(d for _, _, d in hist))
        else:
            out.append(np.nan)
        prev, trades = cur, []
    return np.array(out)


@pytest.mark.parametrize("levels", [10, 3])
def test_matches_dictionary_reference(levels, tick_stream):
    n_books = 1500
    cut = int(np.nonzero(tick_stream.kind == BOOK)[0][n_books])
    from components.types.stream import MarketStream
    sub = MarketStream.build("BTCUSDT", trades=tick_stream.trades.take(np.nonzero(
        tick_stream.trades.ts_ms <= tick_stream.ts_ms[cut])[0]), books=tick_stream.books.take(np.arange(n_books + 1)))
    f = registry.build("feature", {"component": "cancel_rate", "levels": levels, "window_ms": 20_000})
    got = f.batch(sub)[sub.kind == BOOK, 0]
    ref = reference(sub, levels, 20_000)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)
    assert 0 < np.nanmean(got) < 1
