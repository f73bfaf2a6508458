"""vpin against a cumulative-volume bucketing reference on real Binance trades."""
import numpy as np
import pytest

import registry
from components.types.events import TRADE


def reference(vol, side, V, N):
    """Cumulative buy volume as a piecewise-linear function of cumulative volume, read at bucket edges."""
    cum = np.concatenate([[0.0], np.cumsum(vol)])
    cum_buy = np.concatenate([[0.0], np.cumsum(np.where(side > 0, vol, 0.0))])
    done = np.floor(cum[1:] / V).astype(np.int64)            # buckets completed after trade i
    edges = np.arange(done[-1] + 1) * V
    buy = np.diff(np.interp(edges, cum, cum_buy))              # buy volume per completed bucket
    imb = np.abs(2 * buy - V)
    csum = np.concatenate([[0.0], np.cumsum(imb)])
    out = np.full(len(vol), np.nan)
    ok = done >= N
    out[ok] = (csum[done[ok]] - csum[done[ok] - N]) / (N * V)
    return out


@pytest.mark.parametrize("V,N", [(1.0, 50), (0.3, 10), (0.005, 5)])   # last: prints spanning > N buckets
def test_matches_bucketing_reference(V, N, binance, tick_stream):
    t, _ = binance
    got = registry.build("feature", {"component": "vpin", "bucket_volume": V, "n_buckets": N}).batch(tick_stream)
    ref = reference(t.volume, t.side, V, N)
    np.testing.assert_allclose(got[tick_stream.kind == TRADE, 0], ref, rtol=1e-9, atol=1e-12)
    assert 0 <= np.nanmin(got) and np.nanmax(got) <= 1 + 1e-9
