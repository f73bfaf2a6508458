"""The column-by-column JSON text of flat float rows is json.dumps's text, value for value."""
import json
import math

import numpy as np

from components.types.jsontext import dict_rows_text, float_texts


def _edge_column(n: int, rng) -> np.ndarray:
    col = rng.normal(size=n) * 10.0 ** rng.integers(-12, 12, size=n)
    col[::7] = math.nan
    col[3::11] = math.inf
    col[5::13] = -math.inf
    col[6::17] = 0.0
    col[8::19] = -0.0
    col[9::23] = 1e16
    col[10::29] = 5e-324
    return col


def test_float_texts_equal_json_dumps_on_continuous_and_few_valued_columns():
    rng = np.random.default_rng(7)
    cols = [_edge_column(3000, rng), rng.integers(0, 3, 3000).astype(float),          # a state column
            np.where(rng.random(3000) < 0.5, 0.0, -0.0),                             # signed zeros only
            np.r_[np.zeros(400), rng.normal(size=2600)],                             # few values at first only
            np.r_[rng.integers(0, 2, 2999).astype(float), math.nan]]
    for col in cols:
        assert float_texts(col) == [json.dumps(v) for v in col.tolist()]


def test_dict_rows_text_equals_json_dumps_of_each_row():
    rng = np.random.default_rng(3)
    keys = ["rsi_14", "trend_regime.state", 'quote"d', "per%cent", "한글", "_mark_price"]
    X = np.column_stack([_edge_column(2000, rng), rng.integers(0, 4, 2000).astype(float),
                         rng.normal(size=2000), rng.normal(size=2000), rng.normal(size=2000),
                         rng.normal(size=2000) * 1e8])
    got = dict_rows_text(keys, X)
    assert got == [json.dumps(dict(zip(keys, row))) for row in X.tolist()]
    assert dict_rows_text([], np.empty((3, 0))) == ["{}"] * 3

