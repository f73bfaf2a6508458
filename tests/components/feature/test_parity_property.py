"""Property (hypothesis): online == batch for any registered feature on any slice of the real data."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import registry
from components.types.stream import MarketStream

registry.load_all()
NAMES = registry.names("feature")


def _slice(stream: MarketStream, lo: float, span: float) -> MarketStream:
    t0 = stream.ts_ms[0] + (stream.ts_ms[-1] - stream.ts_ms[0]) * lo
    t1 = t0 + (stream.ts_ms[-1] - stream.ts_ms[0]) * span

    def cut(batch, stamp):
        if batch is None:
            return None
        return batch.take(np.nonzero((stamp >= t0) & (stamp < t1))[0])
    c = stream.candles
    return MarketStream.build(stream.market, candles=cut(c, None if c is None else c.ts_ms + c.interval_s * 1000),
                              trades=cut(stream.trades, None if stream.trades is None else stream.trades.ts_ms),
                              books=cut(stream.books, None if stream.books is None else stream.books.ts_ms))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), lo=st.floats(0.0, 0.9), span=st.floats(0.0, 0.3))
def test_online_equals_batch_on_any_slice(name, lo, span, stream_for):
    f = registry.build("feature", {"component": name})
    stream = _slice(stream_for(f), lo, span)
    X = f.batch(stream)
    f.reset()
    on = np.empty_like(X)
    for i, ev in enumerate(stream.events()):
        f.update(ev)
        on[i] = f.value()
    assert np.array_equal(np.isnan(on), np.isnan(X))
    ok = np.isfinite(X)
    np.testing.assert_allclose(on[ok], X[ok], rtol=1e-9, atol=1e-12)
