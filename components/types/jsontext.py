"""json.dumps output (default options) from one prebuilt C encoder, and the same text built column by column
for batches of flat {name: float} rows (the decision rows' features): the store and the loop's recorder share it."""
from __future__ import annotations

import json
from json import encoder as _enc
from typing import Any

import numpy as np

# json.dumps builds a new C encoder for every call; the store encodes three JSON values per decision row.
# Same separators, ASCII escaping, NaN/Infinity and key order as json.dumps(o); no circular-reference check
# (store rows are trees), so the text is identical for every value json.dumps accepts.
_C = (_enc.c_make_encoder(None, json.JSONEncoder().default, _enc.encode_basestring_ascii, None, ": ", ", ",
                          False, False, True) if _enc.c_make_encoder is not None else None)
_REPR = float.__repr__           # what json.dumps writes for a finite float
FEW_VALUES = 32                  # a column whose first rows hold at most this many values is formatted per value


def json_dumps(obj: Any) -> str:
    if _C is None:
        return json.dumps(obj)
    return "".join(_C(obj, 0))


def float_texts(col: np.ndarray) -> list[str]:
    """json_dumps(float(v)) for every value of a float64 column, in one pass."""
    col = np.asarray(col, np.float64)
    n = len(col)
    if n > 8 * FEW_VALUES and len(np.unique(col[:8 * FEW_VALUES])) <= FEW_VALUES \
            and not (np.signbit(col) & (col == 0.0)).any():   # np.unique merges -0.0 and 0.0: not their texts
        vals, inv = np.unique(col, return_inverse=True)        # states and flags: each value formatted once
        if len(vals) * 4 < n:
            return list(map(_texts(vals).__getitem__, inv.tolist()))
    return _texts(col)


def _texts(col: np.ndarray) -> list[str]:
    out = list(map(_REPR, col.tolist()))
    for j in np.flatnonzero(~np.isfinite(col)).tolist():
        v = float(col[j])
        out[j] = "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return out


def dict_rows_text(keys: list[str], values: np.ndarray) -> list[str]:
    """json_dumps(dict(zip(keys, row.tolist()))) of every row of a float64 matrix (n x len(keys));
    `keys` must be distinct."""
    values = np.asarray(values, np.float64)
    n = values.shape[0]
    if not keys:
        return ["{}"] * n
    template = "{" + ", ".join(json_dumps(str(k)).replace("%", "%%") + ": %s" for k in keys) + "}"
    cols = [float_texts(c) for c in values.T]
    return list(map(template.__mod__, zip(*cols)))

