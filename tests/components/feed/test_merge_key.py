"""merged_index's one-key stable sort gives exactly the (time, kind, market, position) order, ties included."""
import numpy as np

from components.types.events import BOOK, CANDLE, TRADE
from components.types.feed.merge import merged_index
from components.types.stream import MarketStream


def _stream(market: str, rng: np.random.Generator, n: int, t0: int) -> MarketStream:
    # few distinct stamps and all three kinds in stream order (not kind order): many ties of every sort
    ts = np.sort(rng.integers(t0, t0 + 40, n)).astype(np.int64)
    kind = rng.choice([CANDLE, TRADE, BOOK], n).astype(np.int8)
    return MarketStream(market, None, None, None, kind, np.arange(n, dtype=np.int64), ts)


def _reference(streams):
    rows = [(int(s.ts_ms[p]), int(s.kind[p]), j, p) for j, m in enumerate(sorted(streams))
            for s in [streams[m]] for p in range(len(s))]
    rows.sort()
    return [r[2] for r in rows], [r[3] for r in rows]


def test_tied_events_keep_the_tie_rule():
    rng = np.random.default_rng(7)
    for t0 in (0, 1_700_000_000_000, -5_000):       # negative stamps are ordered by the same key
        streams = {m: _stream(m, rng, int(rng.integers(50, 400)), t0) for m in ("KRW-ETH", "KRW-BTC", "KRW-XRP")}
        markets, mk, pos = merged_index(streams)
        assert markets == sorted(streams)
        assert (mk.tolist(), pos.tolist()) == _reference(streams)


def test_a_span_too_wide_for_one_key_falls_back_to_the_same_order():
    rng = np.random.default_rng(8)
    a, b = _stream("KRW-A", rng, 200, 0), _stream("KRW-B", rng, 200, 0)
    b.ts_ms[-1] = 2**62                               # (ts * 3 + kind) * markets would overflow int64
    streams = {"KRW-A": a, "KRW-B": b}
    markets, mk, pos = merged_index(streams)
    assert (mk.tolist(), pos.tolist()) == _reference(streams)
