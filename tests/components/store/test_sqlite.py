"""SQLite store: exact round-trips of real market data, trading records, trips, artifacts, migrations, WAL."""
import dataclasses
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import yaml
from sqlalchemy import text

from components.types.feed.loaders import load_books, load_candles, load_trades
from components.feed.replay import Replay
from components.store import partitions
from components.store.base import HEAD
from components.store.models import MARKET_TABLES
from components.types.orders import Fill, Position
from registry import build, parse_params

ROOT = Path(__file__).resolve().parents[3]
TABLES = {"candles", "trades", "books", "runs", "decisions", "orders", "fills", "positions", "equity", "trips",
          "artifacts", "trials", "decision_blocks"}


@pytest.fixture
def store(tmp_path):
    s = build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    yield s
    s.close()


def test_yaml_nodes_validate():
    for name in ("sqlite", "postgres"):
        node = yaml.safe_load((ROOT / f"conf/store/{name}.yaml").read_text())
        cls, p = parse_params("store", node, "store")
        assert cls.component_name == name


def test_market_data_round_trip_is_exact(store, bundled_data, shared_data):
    c = load_candles(bundled_data / "upbit/candles_1m/KRW-SOL.csv.gz")
    rest = __import__("components.feed.rest", fromlist=["x"]).load_rest_candles(
        shared_data / "upbit/rest_samples/upbit_1m_20200220_202000-20200220_210000.json")
    t = load_trades(shared_data / "binance_spot/trades_ETHUSDT.csv.gz")
    b = load_books(shared_data / "upbit/rest_samples/orderbook_KRW-BTC_2025-08-23_ccxt20.csv.gz")
    assert store.insert_candles(c) == len(c) and store.insert_candles(rest) == len(rest)
    store.insert_trades(t)
    store.insert_books(b)
    c2 = store.read_candles("KRW-SOL")
    for f in ("ts_ms", "open", "high", "low", "close", "volume"):
        assert np.array_equal(getattr(c2, f), getattr(c, f)), f
    assert np.isnan(c2.value_krw).all()
    r2 = store.read_candles("KRW-BTC")
    assert np.array_equal(r2.value_krw, rest.value_krw)       # known values survive, NaN stays NaN
    t2 = store.read_trades("ETHUSDT")
    for f in ("ts_ms", "price", "volume", "side", "seq"):
        assert np.array_equal(getattr(t2, f), getattr(t, f)), f
    b2 = store.read_books("KRW-BTC")
    assert b2.levels == 20
    for f in ("ts_ms", "bid_px", "bid_sz", "ask_px", "ask_sz"):
        assert np.array_equal(getattr(b2, f), getattr(b, f)), f
    # time range = own stamp in [start, end)
    mid = int(t.ts_ms[len(t) // 2])
    assert np.array_equal(store.read_trades("ETHUSDT", mid, None).ts_ms, t.ts_ms[t.ts_ms >= mid])
    summary = {(d["market"], d["kind"]): d["rows"] for d in store.data_summary()}
    assert summary[("KRW-SOL", "candle")] == len(c) and summary[("ETHUSDT", "trade")] == len(t)


def test_reimport_is_idempotent(store, shared_data):
    t = load_trades(shared_data / "upbit/ticks_2021/trades_KRW-DAWN.csv.gz")
    store.insert_trades(t)
    store.insert_trades(t)
    assert len(store.read_trades("KRW-DAWN")) == len(t)


def test_replay_from_store_equals_replay_from_files(store, shared_data):
    files = Replay(Replay.Params(path=str(shared_data / "upbit")))
    streams = files.load(["KRW-STX", "KRW-BTC"])
    for s in streams.values():
        for batch, fn in ((s.candles, store.insert_candles), (s.trades, store.insert_trades),
                          (s.books, store.insert_books)):
            if batch is not None:
                fn(batch)
    back = Replay(Replay.Params(source="store")).load(["KRW-STX", "KRW-BTC"], store=store)
    for m in streams:
        a, b = streams[m], back[m]
        assert np.array_equal(a.ts_ms, b.ts_ms) and np.array_equal(a.kind, b.kind) and np.array_equal(a.row, b.row)


def test_runs_config_is_redacted(store):
    rid = store.start_run("majors", {"exchange": {"secret_key": "S3CRET", "access_key": "AK"},
                                     "store": {"url": "postgresql://scalp:pw123@db/x"}, "seed": 42})
    run = store.runs()[0]
    assert run["id"] == rid and run["status"] == "running" and run["config"]["seed"] == 42
    dumped = repr(run)
    assert "S3CRET" not in dumped and "AK" not in dumped.replace("access_key", "") and "pw123" not in dumped
    store.finish_run(rid, "done", 123)
    assert store.runs()[0]["status"] == "done" and store.runs()[0]["finished_ms"] == 123


def test_trading_records_batch_and_read_back(store):
    rid = store.start_run("r", {})
    n = store.record_decisions(rid, [{"ts_ms": 1000 + i, "market": "KRW-BTC", "action": "enter" if i % 2 else "skip",
                                      "score": 0.5 + i / 1e4, "features": {"rsi_14": 40.0 + i},
                                      "scores": {"catboost": 0.6}, "reasons": ["p>thr"]} for i in range(3000)])
    assert n == 3000
    rows = store.records("decisions", rid)
    assert len(rows) == 3000 and rows[7]["features"] == {"rsi_14": 47.0} and rows[7]["reasons"] == ["p>thr"]
    fill = Fill("KRW-BTC", "u-1", "bid", 150_000_000.0, 0.001, 75.0, 1234, maker=True)
    store.record_fills(rid, [fill])
    assert {k: store.records("fills", rid)[0][k] for k in ("order_uuid", "price", "fee_krw", "maker")} == \
        {"order_uuid": "u-1", "price": 150_000_000.0, "fee_krw": 75.0, "maker": True}
    store.record_orders(rid, [{"ts_ms": 1, "market": "KRW-BTC", "side": "bid", "ord_type": "limit", "price": 1.0,
                               "volume": 2.0, "time_in_force": "ioc"}])
    assert store.records("orders", rid)[0]["extra"] == {"time_in_force": "ioc"}
    pos = Position("KRW-BTC", volume=0.001, cost_krw=150_075.0)
    store.record_positions(rid, [{**dataclasses.asdict(pos), "ts_ms": 5}])
    assert store.records("positions", rid)[0]["cost_krw"] == 150_075.0
    store.record_equity(rid, [{"ts_ms": 5, "equity_krw": 1e6}])
    assert store.records("equity", rid)[0]["equity_krw"] == 1e6
    with pytest.raises(ValueError, match="fills row 0: unknown fields"):
        store.record_fills(rid, [{**dataclasses.asdict(fill), "bogus": 1}])
    with pytest.raises(ValueError, match="equity row 0: missing field 'equity_krw'"):
        store.record_equity(rid, [{"ts_ms": 5}])


def test_trips_survive_a_restart(tmp_path):
    node = {"component": "sqlite", "path": str(tmp_path / "t.db")}
    with build("store", node) as s:
        rid = s.start_run("live", {})
        halt = s.record_trip(rid, "daily_loss", "halt", "daily loss 3.1% > 3%", ts_ms=1_000)
        s.record_trip(rid, "api_errors", "pause", "5 errors/min", ts_ms=2_000, until_ms=62_000)
        cleared = s.record_trip(rid, "spread", "block_entries", "wide", ts_ms=3_000)
        s.clear_trip(cleared, 4_000)
    with build("store", node) as s:                       # a new process opening the same file
        assert [t["switch"] for t in s.load_active_trips(10_000)] == ["daily_loss", "api_errors"]
        assert [t["id"] for t in s.load_active_trips(70_000)] == [halt]
        assert s.load_active_trips(500) == []


def test_artifacts(store):
    store.save_artifact("cat_majors", "tower", {"features": ["a"], "span": [1, 2]}, payload=b"\x00\x01")
    store.save_artifact("cat_majors", "tower", {"features": ["a", "b"]}, path="outputs/m.cbm")
    a = store.load_artifact("cat_majors")
    assert a["signature"] == {"features": ["a", "b"]} and a["path"] == "outputs/m.cbm"
    assert store.load_artifact("nope") is None


def test_wal_and_schema_at_head(store, tmp_path):
    assert store.revision() == HEAD
    con = sqlite3.connect(tmp_path / "s.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert TABLES <= names


def test_models_match_migrations(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"name='{t}'" in repr(d) for t in TABLES)]
    assert mine == []


def test_upgrade_in_place_from_revision_1(tmp_path):
    path = tmp_path / "old.db"
    old = build("store", {"component": "sqlite", "path": str(path), "migrate": False})
    old.upgrade("0001")
    assert old.revision() == "0001"
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO runs (name, mode, started_ms, config) VALUES ('old', 'backtest', 5, '{}')"))
        conn.execute(text("INSERT INTO candles VALUES ('KRW-BTC', 60, 0, 1, 1, 1, 1, 1, NULL)"))
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(runs)")}
    assert "status" not in cols
    old.close()
    with build("store", {"component": "sqlite", "path": str(path)}) as new:   # migrate: true upgrades in place
        assert new.revision() == HEAD
        run = new.runs()[0]
        assert run["name"] == "old" and run["status"] == "done" and run["finished_ms"] is None
        assert len(new.read_candles("KRW-BTC")) == 1
        new.record_trip(run["id"], "x", "halt", "r", 1)
        assert len(new.load_active_trips(2)) == 1


def test_partition_and_hypertable_sql_without_postgres():
    sep = partitions.months(1756684800000, 1758931140000, ahead=1)          # 2025-09-01 .. 2025-09-26
    assert [partitions.partition_name("candles", s) for s, _ in sep] == ["candles_p202509", "candles_p202510"]
    assert partitions.create_partition_sql("trades", *sep[0]) == (
        "CREATE TABLE IF NOT EXISTS trades_p202509 PARTITION OF trades FOR VALUES FROM (1756684800000) "
        "TO (1759276800000)")
    dec = partitions.months(1764547200000, 1764547200000, ahead=1)           # 2025-12 -> 2026-01 (year wraps)
    assert [partitions.partition_name("books", s) for s, _ in dec] == ["books_p202512", "books_p202601"]
    for t in MARKET_TABLES:
        sql = partitions.hypertable_sql(t)
        assert sql == (f"SELECT create_hypertable('{t}', 'ts_ms', chunk_time_interval => 2592000000, "
                       f"if_not_exists => TRUE, migrate_data => TRUE)")
    with pytest.raises(ValueError):
        partitions.hypertable_sql("runs")


def test_generated_postgres_ddl_for_both_layouts():
    """The TimescaleDB path is proven by its generated SQL (the extension is not packaged here)."""
    from components.store.base import migration_sql
    hyper = migration_sql("postgresql", timescale="require")
    native = migration_sql("postgresql", timescale="off")
    for t in MARKET_TABLES:
        assert f"SELECT create_hypertable('{t}', 'ts_ms'" in hyper
        assert f"SELECT create_hypertable('{t}'" not in native
    assert hyper.count("PARTITION BY") == 0 and native.count("PARTITION BY RANGE (ts_ms)") == 3
    assert "CREATE TABLE trips" in native and "ALTER TABLE runs ADD COLUMN status" in native   # revision 0002
    assert "PARTITION BY" not in migration_sql("sqlite")


def test_trials_round_trip_and_overlap(store):
    a = store.record_trial(kind="walkforward", config_hash="h1", span_start_ms=0, span_end_ms=100, period_ms=3_600_000,
                           n_obs=3, trades=40, returns=[0.1, -0.2, float("0.05")], sharpe=0.1, skew=0.0, kurtosis=float("nan"))
    store.record_trial(kind="backtest", config_hash="h2", span_start_ms=200, span_end_ms=300, period_ms=3_600_000,
                       n_obs=1, trades=0, returns=[0.0])
    got = store.trials_overlapping(50, 150)
    assert [r["id"] for r in got] == [a] and got[0]["returns"] == [0.1, -0.2, 0.05]
    assert got[0]["kurtosis"] is None                          # NaN stored as NULL
    assert len(store.trials_overlapping(0, 1000)) == 2 and store.trials_overlapping(100, 200) == []


_OPEN_ONE = """
import sys, time
import registry
registry.load_all()
s = registry.build("store", {"component": "sqlite", "path": sys.argv[1]}, path="store")
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))     # every process first touches the new file at once
print(s.revision())                                        # first use: connect + migrate
s.close()
"""


def test_processes_opening_one_new_store_together_all_get_the_schema(tmp_path):
    """A -m sweep's jobs (or tune workers) open the same new store at once: the migration runs once, under a
    lock, and nobody fails with 'table already exists'."""
    import os
    import subprocess
    import sys
    import time
    from components.store.base import HEAD
    db = tmp_path / "shared.db"
    start = time.time() + 3.0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN_ONE, str(db), str(start)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-500:] for _, e in outs]
    assert [o.strip().splitlines()[-1] for o, _ in outs] == [HEAD] * 4
