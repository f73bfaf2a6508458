"""Decision blocks (revision 0006): a batch stored as columns reads back as the rows record_decisions stores."""
import math

import numpy as np
import pytest

from components.store import blocks
from registry import build
from tests.compare import same_bits as same

FIELDS = ("ts_ms", "market", "action", "score", "features", "scores", "reasons")


@pytest.fixture
def store(tmp_path):
    s = build("store", {"component": "sqlite", "path": str(tmp_path / "b.db")}, path="store")
    yield s
    s.close()


def columns(rows: list[tuple], names: list[str] | None = None) -> dict:
    """A batch's columns as the recorder hands them: features as a matrix when `names` is given."""
    cols = dict(zip(FIELDS, (list(c) for c in zip(*rows)))) if rows else {k: [] for k in FIELDS}
    if names is not None:
        cols["features"] = np.array([[r[4][k] for k in names] for r in rows], dtype=float).reshape(len(rows), len(names))
        cols["feature_names"] = names
    return cols


def both_ways(store, rows, names=None) -> tuple[list, list]:
    """(records of the block run, records of the row run), without id and run_id."""
    a, b = store.start_run("block", {}), store.start_run("rows", {})
    assert store.record_decision_block(a, columns(rows, names)) == len(rows)
    store.record_decisions(b, [dict(zip(FIELDS, r)) for r in rows])
    got = [store.records("decisions", rid) for rid in (a, b)]
    assert all(r["run_id"] == a and r["id"] is None for r in got[0])       # a block row has no id of its own
    return tuple([{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in g] for g in got)


def row(i, market="KRW-BTC", action="hold", score=0.5, feats=None, scores=None, reasons=None):
    f = feats if feats is not None else {"ret_1": 0.001 * i - 0.0005, "vol": 1.0 / (i + 3), "_mark_price": 1.5e8 + i}
    return (60_000 * i, market, action, score, f, scores if scores is not None else {"momentum_rule": 0.25 * i},
            reasons if reasons is not None else ["entry.below_threshold"])


def test_empty_batch_writes_nothing(store):
    rid = store.start_run("e", {})
    assert store.record_decision_block(rid, columns([], [])) == 0
    assert store.records("decisions", rid) == []


def test_one_row(store):
    a, b = both_ways(store, [row(1)], ["ret_1", "vol", "_mark_price"])
    assert len(a) == 1 and same(a, b)


def test_nan_inf_signed_zero_features_and_none_score(store):
    names = ["x", "y", "z", "_mark_price"]
    specials = [math.nan, math.inf, -math.inf, -0.0, 0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2]
    rows = [row(i, score=None if i % 3 == 0 else 0.1 * i,
                feats={"x": specials[i % len(specials)], "y": specials[(i + 3) % len(specials)],
                       "z": float(i), "_mark_price": 1e8 + 0.5 * i}) for i in range(24)]
    a, b = both_ways(store, rows, names)
    assert same(a, b) and [r["score"] for r in a][:3] == [None, 0.1, 0.2]
    assert math.isnan(a[0]["features"]["x"]) and a[1]["features"]["y"] == -0.0


def test_mixed_score_keys_and_non_float_values_take_the_json_form(store):
    rows = [row(0, scores={"a": 0.5, "b": 0.25}), row(1, scores={"b": 0.25, "a": 0.5}), row(2, scores={}),
            row(3, scores={"a": 1}), row(4, scores={"a": None, "b": math.nan})]
    a, b = both_ways(store, rows, ["ret_1", "vol", "_mark_price"])
    assert same(a, b) and list(a[1]["scores"]) == ["b", "a"] and type(a[3]["scores"]["a"]) is int
    enc = blocks.encode(columns(rows[:2]))
    assert enc["scores"] is None and enc["scores_json"] is not None
    enc = blocks.encode(columns([rows[0], rows[0]]))
    assert enc["score_names"] == ["a", "b"] and enc["scores_json"] is None      # one key set: a float matrix


def test_reasons_with_non_ascii_text_are_dictionary_encoded(store):
    lists = [["entry.below_threshold"], ["killswitch.tripped: 급락 감지", "size_krw: 5,000₩"], [], ["a", "b"]]
    rows = [row(i, reasons=list(lists[i % 4])) for i in range(40)]
    rows.append(row(40, reasons=["x", 1]))
    rows.append(row(41, reasons=["x", True]))            # equal to ["x", 1] as a dict key, not as stored JSON
    a, b = both_ways(store, rows, ["ret_1", "vol", "_mark_price"])
    assert same(a, b) and a[1]["reasons"][0].endswith("급락 감지")
    assert a[0]["reasons"] is not a[4]["reasons"]        # each row its own list
    enc = blocks.encode(columns(rows))
    assert len(enc["reasons"]) == 6 and np.frombuffer(enc["reason_idx"], "<i4").tolist()[:5] == [0, 1, 2, 3, 0]


def test_several_markets_and_actions_and_per_row_feature_dicts(store):
    mk = ["KRW-BTC", "KRW-ETH", "KRW-XRP"]
    acts = ["hold", "enter", "rejected", "exit"]
    rows = [row(i // 3, market=mk[i % 3], action=acts[i % 4]) for i in range(30)]
    a, b = both_ways(store, rows, ["ret_1", "vol", "_mark_price"])
    assert same(a, b) and {r["market"] for r in a} == set(mk)
    rows[5] = row(9, feats={"ret_1": 1, "_mark_price": 2.0})            # an int feature: dicts, not a matrix
    a, b = both_ways(store, rows)
    assert same(a, b) and type(a[5]["features"]["ret_1"]) is int
    enc = blocks.encode(columns(rows))
    assert enc["features"] is None and enc["markets"] == mk
    assert np.frombuffer(enc["market_idx"], "<i4").tolist()[:4] == [0, 1, 2, 0]


def test_arrays_are_little_endian_and_rows_keep_write_order(store):
    rows = [row(i) for i in (5, 3, 9)]                  # not in ts order: read back as written, like the rows
    enc = blocks.encode(columns(rows, ["ret_1", "vol", "_mark_price"]))
    assert enc["ts_ms"] == np.array([300_000, 180_000, 540_000], "<i8").tobytes()
    assert (enc["first_ts_ms"], enc["last_ts_ms"], enc["n_rows"]) == (180_000, 540_000, 3)
    rid = store.start_run("o", {})
    store.record_decision_block(rid, columns(rows[:2], ["ret_1", "vol", "_mark_price"]))
    store.record_decision_block(rid, columns(rows[2:], ["ret_1", "vol", "_mark_price"]))
    assert [r["ts_ms"] for r in store.records("decisions", rid)] == [300_000, 180_000, 540_000]


def test_a_bad_matrix_shape_is_refused(store):
    cols = columns([row(1), row(2)], ["ret_1", "vol", "_mark_price"])
    cols["feature_names"] = ["ret_1", "vol"]
    with pytest.raises(ValueError, match="features"):
        store.record_decision_block(store.start_run("x", {}), cols)


def test_names_that_are_not_str_become_str_keys_as_in_a_json_row(store):
    rows = [row(i, feats={1: 0.5 * i, "_mark_price": 2.0}, scores={2: 0.25, "b": 0.5}) for i in range(3)]
    a, b = both_ways(store, rows, [1, "_mark_price"])
    assert same(a, b) and list(a[0]["features"]) == ["1", "_mark_price"] and list(a[0]["scores"]) == ["2", "b"]
