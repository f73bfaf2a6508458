"""No look-ahead for every registered feature: perturbing events after a cut never changes earlier rows."""
import numpy as np

import registry
from components.types.events import BookBatch, CandleBatch, TradeBatch
from components.types.stream import MarketStream

PRICE_INVARIANT = {"time_regime"}   # depends on timestamps only


def _perturb(stream: MarketStream, cut_ms: int, seed: int = 7) -> MarketStream:
    """Same events, but prices (±0.2%) and sizes (×0.5..1.5) changed at random for everything known after cut_ms."""
    rng = np.random.default_rng(seed)
    c, t, b = stream.candles, stream.trades, stream.books
    if c is not None:
        late = (c.ts_ms + c.interval_s * 1000) > cut_ms
        jit = lambda a: a * np.where(late, 1 + rng.uniform(-2e-3, 2e-3, len(c)), 1.0)
        o, cl = jit(c.open), jit(c.close)
        hi = np.maximum(jit(c.high), np.maximum(o, cl))
        lo = np.minimum(jit(c.low), np.minimum(o, cl))
        vol = c.volume * np.where(late, rng.uniform(0.5, 1.5, len(c)), 1.0)
        c = CandleBatch(c.market, c.ts_ms, o, hi, lo, cl, vol, c.value_krw, c.interval_s)
    if t is not None:
        late = t.ts_ms > cut_ms
        t = TradeBatch(t.market, t.ts_ms, t.price * np.where(late, 1 + rng.uniform(-2e-3, 2e-3, len(t)), 1.0),
                       t.volume * np.where(late, rng.uniform(0.5, 1.5, len(t)), 1.0),
                       np.where(late & (rng.random(len(t)) < 0.3), -t.side, t.side).astype(np.int8), t.seq)
    if b is not None:
        late = (b.ts_ms > cut_ms)[:, None]
        f = np.where(late, 1 + rng.uniform(-2e-3, 2e-3, (len(b), 1)), 1.0)
        g = lambda a: a * np.where(late, rng.uniform(0.5, 1.5, a.shape), 1.0)
        b = BookBatch(b.market, b.ts_ms, b.bid_px * f, g(b.bid_sz), b.ask_px * f, g(b.ask_sz))
    return MarketStream.build(stream.market, candles=c, trades=t, books=b)


def test_perturbing_the_future_changes_no_earlier_value(feature_case, stream_for):
    f = registry.build("feature", feature_case)
    stream = stream_for(f)
    base = f.batch(stream)
    k = int(len(stream) * 0.6)
    cut_ms = int(stream.ts_ms[k])
    pert = _perturb(stream, cut_ms)
    assert np.array_equal(pert.ts_ms, stream.ts_ms) and np.array_equal(pert.kind, stream.kind)
    out = f.batch(pert)
    early = stream.ts_ms <= cut_ms
    assert np.array_equal(base[early], out[early], equal_nan=True), "an earlier row changed: look-ahead"
    if feature_case["component"] not in PRICE_INVARIANT:
        assert not np.array_equal(base[~early], out[~early], equal_nan=True), "perturbation had no effect"
