"""The batch bar estimates (a candle replay's, computed before the loop) are the online BarStats' floats."""
import math

import numpy as np
import pytest

from components.types.bar_spread import BarStats, bar_stats_batch


def _online(high, low, window):
    b, value, sigma = BarStats(window), [], []
    for h, l in zip(high.tolist(), low.tolist()):
        b.update(h, l)
        value.append(b.value())
        sigma.append(b.sigma())
    return value, sigma


def _identical(a, b) -> bool:
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b))


@pytest.mark.parametrize("window", [1, 2, 7, 20, 60])
def test_batch_bar_stats_equal_the_online_updates_bit_for_bit(window):
    rng = np.random.default_rng(window)
    n = 3000
    mid = 1e8 * np.exp(np.cumsum(rng.normal(0, 1e-3, n)))
    high, low = mid * (1 + rng.random(n) * 2e-3), mid * (1 - rng.random(n) * 2e-3)
    high[rng.random(n) < 0.01] = 0.0            # bars the estimator skips: no pair, no range
    low[rng.random(n) < 0.01] = -1.0
    low[rng.random(n) < 0.005] = math.nan
    high[:3] = 0.0                               # nothing before the first good bar
    value, sigma = bar_stats_batch(high, low, window)
    want_value, want_sigma = _online(high, low, window)
    assert _identical(value, want_value) and _identical(sigma, want_sigma)
    assert math.isnan(value[3]) and math.isfinite(sigma[3]) and math.isfinite(value[-1])


def test_batch_bar_stats_of_tiny_columns():
    for n in (0, 1, 2):
        h, l = np.full(n, 101.0), np.full(n, 99.0)
        v, s = bar_stats_batch(h, l, 20)
        want_v, want_s = _online(h, l, 20)
        assert len(v) == n and _identical(v, want_v) and _identical(s, want_s)
