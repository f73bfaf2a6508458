"""depth_imbalance against NumPy sums over the top K levels of real Binance books."""
import numpy as np
import pytest

import registry
from components.types.events import BOOK


@pytest.mark.parametrize("data", ["tick_stream", "upbit_tick_stream"])
@pytest.mark.parametrize("levels", [10, 3, 15])
def test_matches_numpy_sums(levels, data, request):
    tick_stream = request.getfixturevalue(data)
    b = tick_stream.books
    at = tick_stream.kind == BOOK
    r = tick_stream.row[at]
    qb, qa = b.bid_sz[r, :levels].sum(1), b.ask_sz[r, :levels].sum(1)
    got = registry.build("feature", {"component": "depth_imbalance", "levels": levels}).batch(tick_stream)[at, 0]
    np.testing.assert_allclose(got, (qb - qa) / (qb + qa), rtol=1e-9, atol=1e-15)


def test_a_book_with_fewer_levels_is_invalid(tick_stream):
    f = registry.build("feature", {"component": "depth_imbalance", "levels": 20, "on_invalid": "raise"})
    from components.feature._base import InvalidFeatureInput
    with pytest.raises(InvalidFeatureInput, match="depth_imbalance"):
        f.batch(tick_stream)
