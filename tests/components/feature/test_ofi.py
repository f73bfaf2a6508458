"""ofi against a vectorised NumPy Cont-Kukanov-Stoikov e_n and windowed sums on real Binance books."""
import numpy as np
import pytest

import registry
from components.types.events import BOOK


def cks_e(b, qb, a, qa):
    """e_n for n >= 1 from (n, K) arrays, summed over levels."""
    e = (np.where(b[1:] >= b[:-1], qb[1:], 0) - np.where(b[1:] <= b[:-1], qb[:-1], 0)
         - np.where(a[1:] <= a[:-1], qa[1:], 0) + np.where(a[1:] >= a[:-1], qa[:-1], 0))
    return e.sum(axis=1)


@pytest.mark.parametrize("levels,window_ms", [(1, 10_000), (5, 3_000)])
def test_matches_numpy_ofi(levels, window_ms, binance, tick_stream):
    _, bk = binance
    K = levels
    e = cks_e(bk.bid_px[:, :K], bk.bid_sz[:, :K], bk.ask_px[:, :K], bk.ask_sz[:, :K])
    ts = bk.ts_ms[1:]
    cs = np.concatenate([[0.0], np.cumsum(e)])
    lo = np.searchsorted(ts, ts - window_ms, side="right")
    ref = np.concatenate([[np.nan], cs[np.arange(1, len(ts) + 1)] - cs[lo]])
    f = registry.build("feature", {"component": "ofi", "levels": K, "window_ms": window_ms})
    got = f.batch(tick_stream)[tick_stream.kind == BOOK, 0]
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-8 * np.abs(e).sum() / len(e))
