"""The SQLite batch path of the trading tables stores exactly what the generic SQLAlchemy insert stores."""
import math
import sqlite3

import pytest

from components.store import models
from components.types.orders import Fill
from registry import build


def _store(path):
    return build("store", {"component": "sqlite", "path": str(path)}, path="store")


def _rows():
    nan = math.nan
    return {
        "DecisionRow": [{"ts_ms": 1, "market": "KRW-BTC", "action": "hold", "score": None,
                         "features": {"a": 1.5, "b": nan, "_mark_price": 10.0}, "scores": {"t": 0.25},
                         "reasons": ["position.open"]},
                        {"ts_ms": 2, "market": "KRW-ETH", "action": "enter", "score": 0.7,
                         "features": {"a": -2.0, "b": math.inf, "_mark_price": 11.0}, "scores": {},
                         "reasons": ["size_krw: 5000", "note ü"]}],
        "OrderRow": [{"ts_ms": 3, "market": "KRW-BTC", "side": "bid", "ord_type": "limit", "price": 10.0,
                      "volume": 0.5, "state": "rejected", "identifier": "x-1", "uuid": None, "reason": "why"},
                     {"ts_ms": 3, "market": "KRW-BTC", "side": "bid", "ord_type": "limit", "price": 10.0,
                      "volume": 0.5, "identifier": "x-2", "uuid": "u", "reason": "why"}],
        "FillRow": [Fill("KRW-BTC", "u1", "bid", 10.0, 0.5, 0.0025, 4, maker=True),
                    Fill("KRW-BTC", "u2", "ask", 11.0, 0.5, 0.0027, 5)],
        "PositionRow": [{"ts_ms": 6, "market": "KRW-BTC", "volume": 0.0, "cost_krw": 0.0, "realized_krw": 1.0,
                         "fees_krw": 0.01, "closed": True, "trade": {"net_krw": 0.9, "reason": "tp"}},
                        {"ts_ms": 7, "market": "KRW-BTC", "volume": 0.5, "cost_krw": 5.0, "realized_krw": 0.0,
                         "fees_krw": 0.0, "closed": False}],
        "EquityRow": [{"ts_ms": 8, "equity_krw": 100.0, "cash_krw": 50.0, "position_krw": 50.0}],
    }


def _dump(path, table):
    con = sqlite3.connect(path)
    try:
        return con.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("name", ["DecisionRow", "OrderRow", "FillRow", "PositionRow", "EquityRow"])
def test_batch_path_stores_what_the_generic_insert_stores(tmp_path, name):
    fast, slow = _store(tmp_path / "fast.db"), _store(tmp_path / "slow.db")
    model = getattr(models, name)
    for st in (fast, slow):
        st.start_run("r", {})
    rows = _rows()[name]
    if name == "OrderRow":         # the second row omits `state`: its column default applies on both paths
        rows = rows[1:]
    assert fast._record(name, 1, rows) == len(rows)
    slow._insert(model.__table__, slow._rows(model, 1, rows))      # the generic SQLAlchemy path
    fast.close(), slow.close()
    got, want = _dump(tmp_path / "fast.db", model.__tablename__), _dump(tmp_path / "slow.db", model.__tablename__)
    assert len(got) == len(rows) and got == want


def test_a_missing_column_takes_its_default(tmp_path):
    st = _store(tmp_path / "s.db")
    run = st.start_run("r", {})
    st.record_orders(run, _rows()["OrderRow"][1:])
    assert st.records("orders", run)[0]["state"] == "wait"
    st.close()


def test_rows_with_differing_fields_still_store(tmp_path):
    st = _store(tmp_path / "s.db")
    run = st.start_run("r", {})
    rows = [{"ts_ms": 1, "market": "KRW-BTC", "volume": 1.0, "cost_krw": 1.0, "realized_krw": 0.0,
             "fees_krw": 0.0, "closed": False},
            {"ts_ms": 2, "market": "KRW-BTC", "volume": 0.0, "cost_krw": 0.0, "realized_krw": 0.1,
             "fees_krw": 0.0, "closed": True, "trade": {"net_krw": 0.1}}]
    assert st.record_positions(run, rows) == 2
    got = st.records("positions", run)
    assert [r["extra"] for r in got] == [{"closed": False}, {"closed": True, "trade": {"net_krw": 0.1}}]
    st.close()


def test_unknown_field_names_the_table(tmp_path):
    st = _store(tmp_path / "s.db")
    run = st.start_run("r", {})
    with pytest.raises(ValueError, match="equity row 0: unknown fields"):
        st.record_equity(run, [{"ts_ms": 1, "equity_krw": 1.0, "cash_krw": 1.0, "position_krw": 0.0, "x": 1}])
    st.close()


@pytest.mark.parametrize("value", [{"a": 1.5, "b": math.nan, "c": -math.inf, "d": None, "e": True, "ü": "ß"},
                                   ["p>thr", "size_krw: 5000"], [], {}, {"t": {"n": [1, 2.25e-7, 1e22]}}, 0.1, "x"])
def test_store_json_text_is_json_dumps(value):
    from components.store.jsonenc import json_dumps
    import json
    assert json_dumps(value) == json.dumps(value)
