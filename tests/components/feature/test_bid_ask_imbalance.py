"""bid_ask_imbalance (level-1 size imbalance) against its NumPy formula on real Binance and Upbit 2021 books."""
import numpy as np
import pytest

import registry
from components.types.events import BOOK


@pytest.mark.parametrize("data", ["tick_stream", "upbit_tick_stream"])
def test_matches_formula_on_every_snapshot(data, request):
    stream = request.getfixturevalue(data)
    at = stream.kind == BOOK
    r = stream.row[at]
    bk = stream.books
    b, qb, a, qa = bk.bid_px[r, 0], bk.bid_sz[r, 0], bk.ask_px[r, 0], bk.ask_sz[r, 0]
    got = registry.build("feature", {"component": "bid_ask_imbalance"}).batch(stream)[at, 0]
    np.testing.assert_allclose(got, (qb - qa) / (qb + qa), rtol=1e-9, atol=1e-15)
    assert (np.abs(got) <= 1).all() and got.std() > 0
