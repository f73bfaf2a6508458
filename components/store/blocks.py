"""Decision blocks: a batch of decisions as columns (little-endian arrays, dictionary-encoded values) and back."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

from components.types.jsontext import json_dumps

# explicit byte order: a block written on one machine reads the same on any other
I8, I4, F8 = np.dtype("<i8"), np.dtype("<i4"), np.dtype("<f8")
_BY_TEXT = object()        # key of a value told apart by its JSON text (never inside a tuple of str)
ROW_KEYS = ("id", "run_id", "ts_ms", "market", "action", "score", "features", "scores", "reasons")


def _key(v: Any) -> Any:
    """Dictionary key of a value: itself for str, a tuple for a list of str, else its JSON text (1, 1.0 and
    True are equal keys in a dict but not the same stored value)."""
    if type(v) is str:
        return v
    if type(v) in (list, tuple) and all(type(x) is str for x in v):
        return tuple(v)
    return (_BY_TEXT, json_dumps(v))


def _dictionary(values: Sequence) -> tuple[list, bytes]:
    """(distinct values in first-seen order, int32 codes of every value)."""
    types = set(map(type, values))
    if types <= {str}:                  # markets, actions: hashed as they are, in C loops
        distinct = list(dict.fromkeys(values))
        return distinct, _coded(distinct, values)
    if types <= {list, tuple} and set(map(type, chain.from_iterable(values))) <= {str}:   # reason lists
        keys = list(map(tuple, values))
        distinct = list(dict.fromkeys(keys))
        at = dict(zip(keys, values))    # a stored list as the writer gave it (its last occurrence: equal)
        return [at[k] for k in distinct], _coded(distinct, keys)
    index: dict = {}
    first: list = []
    codes = []
    for v in values:
        k = _key(v)
        c = index.get(k)
        if c is None:
            c = index[k] = len(first)
            first.append(v)
        codes.append(c)
    return first, np.asarray(codes, I4).tobytes()


def _coded(distinct: list, keys: Sequence) -> bytes:
    index = dict(zip(distinct, range(len(distinct))))
    return np.fromiter(map(index.__getitem__, keys), I4, count=len(keys)).tobytes()


def _names(keys: Sequence) -> bool:
    """Keys a matrix's name list may hold: distinct str (JSON makes any other key a str in a row's dict)."""
    return set(map(type, keys)) <= {str} and len(set(keys)) == len(keys)


def _float_matrix(dicts: Sequence[Mapping]) -> tuple[list, np.ndarray] | None:
    """(keys, n x k float64) when every dict has the same keys in the same order and only float values."""
    if not dicts:
        return [], np.empty((0, 0), F8)
    keys = tuple(dicts[0])
    if set(map(type, dicts)) != {dict} or set(map(tuple, dicts)) != {keys} or not _names(keys):
        return None
    values = list(chain.from_iterable(map(dict.values, dicts)))
    if not all(issubclass(t, float) for t in set(map(type, values))):
        return None                     # ints, None, bools keep their type through the JSON form
    return list(keys), np.asarray(values, F8).reshape(len(dicts), len(keys))


def encode(cols: Mapping[str, Any]) -> dict:
    """The decision_blocks row of a batch. `cols`: ts_ms, market, action, score (float or None), scores and
    reasons (one per row), and features: an n x k float64 matrix with `feature_names`, or one dict per row."""
    ts = np.asarray(cols["ts_ms"], I8)
    n = len(ts)
    markets, market_idx = _dictionary(cols["market"])
    actions, action_idx = _dictionary(cols["action"])
    reasons, reason_idx = _dictionary(cols["reasons"])
    score = np.asarray([np.nan if v is None else v for v in cols["score"]], F8)
    row = {"first_ts_ms": int(ts.min()) if n else 0, "last_ts_ms": int(ts.max()) if n else 0, "n_rows": n,
           "ts_ms": ts.tobytes(), "markets": markets, "market_idx": market_idx, "actions": actions,
           "action_idx": action_idx, "score": score.tobytes(), "reasons": reasons, "reason_idx": reason_idx,
           "feature_names": None, "features": None, "features_json": None,
           "score_names": None, "scores": None, "scores_json": None}
    feats = cols["features"]
    if isinstance(feats, np.ndarray):
        names = list(cols["feature_names"])
        if feats.shape != (n, len(names)) or len(set(names)) != len(names):
            raise ValueError(f"features: {feats.shape} for {n} rows of {len(names)} distinct names")
        if _names(names):
            row["feature_names"], row["features"] = names, np.ascontiguousarray(feats, F8).tobytes()
        else:
            row["features_json"] = [dict(zip(names, r)) for r in np.asarray(feats, F8).tolist()]
    else:
        row["features_json"] = list(feats)
    scores = list(cols["scores"])
    matrix = _float_matrix(scores)
    if matrix is None:
        row["scores_json"] = scores
    else:
        row["score_names"], row["scores"] = matrix[0], matrix[1].tobytes()
    return row


def _codes(values: list, blob: bytes) -> list:
    return list(map(values.__getitem__, np.frombuffer(blob, I4).tolist()))


def _dict_rows(names: list, blob: bytes, n: int) -> list[dict]:
    values = np.frombuffer(blob, F8).reshape(n, len(names)).tolist()
    return [dict(zip(names, r)) for r in values]


def decode(row: Mapping[str, Any]) -> list[dict]:
    """The decision rows of one block, as `Store.records("decisions")` gives rows (id None: a block row has
    no row id of its own)."""
    n, run_id = int(row["n_rows"]), row["run_id"]
    score_arr = np.frombuffer(row["score"], F8)
    score = score_arr.tolist()
    for j in np.flatnonzero(np.isnan(score_arr)).tolist():
        score[j] = None
    if row["features"] is not None:
        feats = _dict_rows(row["feature_names"], row["features"], n)
    else:
        feats = row["features_json"]
    scores = row["scores_json"] if row["scores"] is None else _dict_rows(row["score_names"], row["scores"], n)
    # every row gets its own reasons list (a caller may change one)
    reasons = [r[:] if type(r) is list else r for r in _codes(row["reasons"], row["reason_idx"])]
    cols = ([None] * n, [run_id] * n, np.frombuffer(row["ts_ms"], I8).tolist(),
            _codes(row["markets"], row["market_idx"]), _codes(row["actions"], row["action_idx"]),
            score, feats, scores, reasons)
    return [dict(zip(ROW_KEYS, r)) for r in zip(*cols)]


def decisions(store: Any, run_id: int) -> list[dict]:
    """Every decision of a run: its blocks' rows in write order, else its row-table rows (id order); a run
    holding both (written by two writers) gets them merged by ts_ms, stable."""
    from components.store.models import DecisionBlockRow, DecisionRow
    rows = store._select(DecisionRow, DecisionRow.__table__.c.run_id == run_id)
    blocks = store._select(DecisionBlockRow, DecisionBlockRow.__table__.c.run_id == run_id)
    if not blocks:
        return rows
    out = [r for b in blocks for r in decode(b)]
    if rows:
        out = sorted(out + rows, key=lambda r: r["ts_ms"])
    return out
