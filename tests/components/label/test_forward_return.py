"""forward_return on real candles equals a brute-force reading of the closes."""
import numpy as np
import pytest

import registry
from components.types.events import CANDLE


@pytest.fixture(scope="module")
def stream(bundled_data):
    registry.load_all()
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    return feed.load(["KRW-ETH"])["KRW-ETH"]


def test_return_matches_brute_force(stream):
    lab = registry.build("label", {"component": "forward_return", "horizon_ms": 300_000})
    idx = np.flatnonzero(stream.kind == CANDLE)[::97]
    r, end = lab.returns(stream, idx)
    c = stream.candles
    close_ms = c.ts_ms + 60_000
    for k, i in enumerate(idx):
        t = stream.ts_ms[i]
        if t + 300_000 > close_ms[-1]:
            assert np.isnan(r[k])
            continue
        now = c.close[close_ms <= t][-1]
        later = c.close[close_ms <= t + 300_000][-1]
        assert r[k] == pytest.approx(later / now - 1, abs=1e-15)
    y, _ = lab.compute(stream, idx)
    ok = np.isfinite(r)
    np.testing.assert_array_equal(y[ok], (r[ok] > 0.001).astype(float))
