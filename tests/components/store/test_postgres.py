"""PostgreSQL store on a real server (SCALP_TEST_PG_URL; CI starts one): round-trip, partitions, pruning, upgrade."""
import os
import uuid

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from components.types.feed.loaders import load_books, load_candles, load_trades
from components.feed.replay import Replay
from components.store.base import HEAD
from registry import build
from tests.compare import rows_of

pytestmark = pytest.mark.postgres
URL = os.environ.get("SCALP_TEST_PG_URL")
if not URL:
    pytest.skip("SCALP_TEST_PG_URL not set (CI sets it; see README)", allow_module_level=True)


@pytest.fixture
def pg(monkeypatch):
    """A store in a fresh schema of the test database (dropped afterwards)."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in URL else "?"
    monkeypatch.setenv("SCALP_TEST_STORE_URL", f"{URL}{sep}options=-csearch_path%3D{schema}")
    stores = []

    def make(**kw):
        s = build("store", {"component": "postgres", "url_env": "SCALP_TEST_STORE_URL", "timescale": "off", **kw})
        stores.append(s)
        return s
    yield make
    for s in stores:
        s.close()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _scalar(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _partitions(store, table):
    with store.engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t AND c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace"), {"t": table}))


def test_round_trip_and_monthly_partitions(pg, bundled_data, shared_data):
    s = pg(timescale="auto")          # detection on a server without TimescaleDB -> native partitions
    assert s.revision() == HEAD and s.layout("candles") == "partitioned"
    c = load_candles(bundled_data / "upbit/candles_1m/KRW-BTC.csv.gz")          # 2025-09
    b = load_books(shared_data / "upbit/ticks_2021/orderbook_KRW-ADA.csv.gz")   # 2021-04
    t = load_trades(shared_data / "binance_spot/trades_BTCUSDT.csv.gz")        # 2024-08
    s.insert_candles(c), s.insert_books(b), s.insert_trades(t)
    assert _partitions(s, "candles") == ["candles_p202509", "candles_p202510"]   # + one month ahead
    assert _partitions(s, "books") == ["books_p202104", "books_p202105"]
    assert _partitions(s, "trades") == ["trades_p202408", "trades_p202409"]
    assert _scalar(s, "SELECT count(*) FROM candles_p202509") == len(c)
    c2, b2, t2 = s.read_candles("KRW-BTC"), s.read_books("KRW-ADA"), s.read_trades("BTCUSDT")
    assert np.array_equal(c2.close, c.close) and np.array_equal(c2.ts_ms, c.ts_ms)
    assert np.array_equal(b2.ask_sz, b.ask_sz) and np.array_equal(b2.bid_px, b.bid_px)
    assert np.array_equal(t2.seq, t.seq) and np.array_equal(t2.side, t.side) and np.array_equal(t2.price, t.price)
    s.insert_candles(c)                                                          # idempotent
    assert len(s.read_candles("KRW-BTC")) == len(c)


def test_queries_prune_partitions(pg, bundled_data, shared_data):
    s = pg()
    s.insert_candles(load_candles(bundled_data / "upbit/candles_1m/KRW-ETH.csv.gz"))
    s.insert_candles(load_candles(shared_data / "upbit/candles_1m/KRW-BTC_2020-2025_gappy.csv.gz"))
    parts = _partitions(s, "candles")
    assert {"candles_p202002", "candles_p202408", "candles_p202508", "candles_p202509"} <= set(parts)
    with s.engine.connect() as conn:
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT * FROM candles WHERE ts_ms >= 1756684800000 AND ts_ms < 1759276800000")))
    scanned = {p for p in parts if p in plan}
    assert scanned == {"candles_p202509"}, plan


def test_partitions_created_ahead_as_time_advances(pg):
    s = pg(months_ahead=2)
    names = s.ensure_partitions("trades", 1767225600000, 1767225600000)          # 2026-01-01
    assert names == ["trades_p202601", "trades_p202602", "trades_p202603"]
    assert _partitions(s, "trades") == names
    s.ensure_partitions("trades", 1772323200000, 1772323200000)                  # 2026-03-01: two more
    assert _partitions(s, "trades")[-1] == "trades_p202605"


def test_replay_from_postgres_equals_files(pg, shared_data):
    s = pg()
    files = Replay(Replay.Params(path=str(shared_data / "upbit"))).load(["KRW-DAWN", "KRW-SOL"])
    for st in files.values():
        for batch, fn in ((st.candles, s.insert_candles), (st.trades, s.insert_trades), (st.books, s.insert_books)):
            if batch is not None:
                fn(batch)
    back = Replay(Replay.Params(source="store")).load(["KRW-DAWN", "KRW-SOL"], store=s)
    for m in files:
        assert np.array_equal(files[m].ts_ms, back[m].ts_ms) and np.array_equal(files[m].kind, back[m].kind)
        assert np.array_equal(files[m].row, back[m].row)


def test_trading_records_and_trips(pg):
    s = pg()
    rid = s.start_run("live", {"store": {"url": "postgresql://u:hunter2@h/db"}})
    assert "hunter2" not in repr(s.runs())
    s.record_decisions(rid, [{"ts_ms": i, "market": "KRW-BTC", "action": "skip", "features": {"x": i}}
                             for i in range(2000)])
    assert len(s.records("decisions", rid)) == 2000
    s.record_trip(rid, "max_drawdown", "halt", "dd 6%", ts_ms=10)
    assert [t["switch"] for t in s.load_active_trips(20)] == ["max_drawdown"]


def test_upgrade_in_place_from_revision_1(pg):
    old = pg(migrate=False)
    old.upgrade("0001")
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO runs (name, mode, started_ms, config) VALUES ('old', 'paper', 1, '{}')"))
    old.close()
    new = pg()
    assert new.revision() == HEAD
    assert new.runs()[0]["status"] == "done"
    assert new.layout("books") == "partitioned"


def test_url_is_never_shown(pg, monkeypatch):
    s = pg()
    assert "SCALP_TEST_STORE_URL" in repr(s) and "://" not in repr(s)
    monkeypatch.delenv("SCALP_PG_URL", raising=False)
    bare = build("store", {"component": "postgres"})
    with pytest.raises(RuntimeError, match="environment variable SCALP_PG_URL is not set"):
        bare.revision()


def test_trials_round_trip(pg):
    s = pg()
    tid = s.record_trial(kind="walkforward", config_hash="h", span_start_ms=0, span_end_ms=10, period_ms=3_600_000,
                         n_obs=2, trades=31, returns=[0.01, -0.02], sharpe=float("nan"), skew=0.5, kurtosis=4.0)
    got = s.trials_overlapping(5, 20)
    assert [r["id"] for r in got] == [tid] and got[0]["returns"] == [0.01, -0.02] and got[0]["sharpe"] is None
    assert s.trials_overlapping(10, 20) == []


def test_record_tuples_takes_the_row_path_on_postgres(pg):
    """The backtest recorder's tuple rows (record_tuples) store what record_decisions/record_equity store."""
    s = pg()
    a, b = s.start_run("a", {}), s.start_run("b", {})
    fields = ("ts_ms", "market", "action", "score", "features", "scores", "reasons")
    rows = [(i, "KRW-BTC", "hold", 0.5 + i / 10, {"x": float(i)}, {"t": 0.1 * i}, ["entry.below_threshold"])
            for i in range(5)]
    assert s.record_tuples("decisions", a, fields, rows) == 5
    s.record_decisions(b, [dict(zip(fields, r)) for r in rows])
    eq = [(i, 1e6 + i, 1e6, float(i)) for i in range(3)]
    efields = ("ts_ms", "equity_krw", "cash_krw", "position_krw")
    s.record_tuples("equity", a, efields, eq)
    s.record_equity(b, [dict(zip(efields, r)) for r in eq])
    for table in ("decisions", "equity"):
        ra, rb = rows_of(s, table, a), rows_of(s, table, b)
        assert ra == rb and len(ra) == len(rows if table == "decisions" else eq)
    # JSON columns handed over as text (the SQLite recorder's form) are decoded here, not stored as strings
    import json
    assert not s.json_as_text
    c = s.start_run("c", {})
    as_text = [r[:4] + tuple(json.dumps(v) for v in r[4:]) for r in rows]
    assert s.record_tuples("decisions", c, fields, as_text, json_text=True) == 5
    rc = [{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in s.records("decisions", c)]
    assert rc == [{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in s.records("decisions", b)]


def test_decision_blocks_round_trip_on_postgres(pg):
    """A column block (bytea arrays, JSON dictionaries) reads back bit for bit; without NaN features it reads
    as the rows record_decisions stores; deleting the run deletes its blocks."""
    import math
    import struct

    from engine.control.runs import counts, delete_runs

    def bits(v):
        return "nan" if isinstance(v, float) and math.isnan(v) else struct.pack("<d", v) if isinstance(v, float) else v
    s = pg()
    assert s.revision() == HEAD >= "0006"
    fields = ("ts_ms", "market", "action", "score", "features", "scores", "reasons")
    names = ["x", "y", "_mark_price"]
    specials = [math.nan, math.inf, -0.0, 5e-324, 0.1 + 0.2]
    rows = [(60_000 * i, ("KRW-BTC", "KRW-ETH")[i % 2], ("hold", "enter", "rejected")[i % 3],
             None if i % 4 == 0 else 0.1 * i, {"x": specials[i % 5], "y": float(i), "_mark_price": 1e8 + i},
             {"t": 0.25 * i} if i != 3 else {"t": 1, "u": None}, [["급락 감지"], [], ["a", "b"]][i % 3])
            for i in range(10)]
    cols = {k: [r[j] for r in rows] for j, k in enumerate(fields)}
    cols["features"] = np.array([[r[4][k] for k in names] for r in rows])
    cols["feature_names"] = names
    a = s.start_run("a", {})
    assert s.record_decision_block(a, cols) == 10
    got = s.records("decisions", a)
    assert [r["id"] for r in got] == [None] * 10 and {r["run_id"] for r in got} == {a}
    for r, want in zip(got, rows):
        assert [bits(r[k]) for k in fields[:4]] == [bits(v) for v in want[:4]]
        assert {k: bits(v) for k, v in r["features"].items()} == {k: bits(v) for k, v in want[4].items()}
        assert r["scores"] == want[5] and r["reasons"] == want[6]
    finite = [r for r in rows if math.isfinite(r[4]["x"])]          # PostgreSQL's JSON refuses NaN/Infinity
    b, c = s.start_run("b", {}), s.start_run("c", {})
    s.record_decision_block(b, {**{k: [r[j] for r in finite] for j, k in enumerate(fields)},
                                "features": np.array([[r[4][k] for k in names] for r in finite]),
                                "feature_names": names})
    s.record_decisions(c, [dict(zip(fields, r)) for r in finite])
    strip = (lambda rs: [{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in rs])
    assert strip(s.records("decisions", b)) == strip(s.records("decisions", c)) and len(finite) == 6
    assert counts(s)[a]["decisions"] == 10 and counts(s)[c]["decisions"] == 6
    assert delete_runs(s, [a, b])["decisions"] == 16
    assert s.records("decisions", a) == [] and _scalar(s, "SELECT count(*) FROM decision_blocks") == 0
