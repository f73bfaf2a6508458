"""`scalp store backup` on PostgreSQL (pg_dump) restored into a fresh database with pg_restore: same runs, same rows."""
import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import registry

pytestmark = pytest.mark.postgres
URL = os.environ.get("SCALP_TEST_PG_URL")
if not URL:
    pytest.skip("SCALP_TEST_PG_URL not set (CI sets it; see README)", allow_module_level=True)


@pytest.fixture
def databases(monkeypatch):
    """Two fresh databases (source, restore target) on the test server, dropped afterwards."""
    names = [f"scalp_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for n in names:
                conn.execute(text(f"CREATE DATABASE {n}"))
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"cannot create a database on the test server: {type(e).__name__}")
    urls = [make_url(URL).set(database=n).render_as_string(hide_password=False) for n in names]
    monkeypatch.setenv("SCALP_TEST_BK_SRC", urls[0])
    monkeypatch.setenv("SCALP_TEST_BK_DST", urls[1])
    yield urls
    with admin.connect() as conn:
        for n in names:
            conn.execute(text(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)"))
    admin.dispose()


def test_pg_backup_restores_into_the_same_runs_and_rows(databases, tmp_path, capsys):
    from engine.commands import store as store_cmd
    from engine.commands.runs import main as runs_main
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not on PATH")
    registry.load_all()
    src = registry.build("store", {"component": "postgres", "url_env": "SCALP_TEST_BK_SRC", "timescale": "off"})
    rid = src.start_run("pg", {}, mode="backtest")
    src.record_decisions(rid, [{"ts_ms": 1, "market": "KRW-BTC", "action": "enter"}] * 4)
    src.record_fills(rid, [{"ts_ms": 1, "market": "KRW-BTC", "order_uuid": "u", "side": "bid", "price": 1.0,
                            "volume": 1.0, "fee_krw": 0.0}])
    src.finish_run(rid, "done")
    ov = ["store=postgres", "store.url_env=SCALP_TEST_BK_SRC", "store.timescale=off", "ui.lang=en"]
    dump = tmp_path / "scalp.dump"
    assert store_cmd.main(["backup", str(dump), *ov]) == 0 and dump.stat().st_size > 0
    assert "backup written" in capsys.readouterr().out
    u = make_url(databases[1])
    env = {**os.environ, "PGHOST": u.host, "PGPORT": str(u.port or 5432), "PGUSER": u.username,
           "PGPASSWORD": u.password or "", "PGDATABASE": u.database}
    subprocess.run(["pg_restore", "--no-owner", "-d", u.database, str(dump)], env=env, check=True)
    dst = registry.build("store", {"component": "postgres", "url_env": "SCALP_TEST_BK_DST", "timescale": "off"})
    try:
        assert dst.runs() == src.runs() and len(dst.records("decisions", rid)) == 4
        assert dst.records("fills", rid) == src.records("fills", rid)
    finally:
        dst.close()
    # prune on PostgreSQL: the same FK-safe order
    assert runs_main(["prune", "--keep", "0", "--vacuum", *ov]) == 0
    assert src.runs() == [] and src.records("decisions", rid) == []
    src.close()


def test_pg_backup_without_pg_dump_says_so(databases, tmp_path, monkeypatch, capsys):
    from engine.commands import store as store_cmd
    monkeypatch.setenv("PATH", str(tmp_path))                 # nothing on PATH
    ov = ["store=postgres", "store.url_env=SCALP_TEST_BK_SRC", "store.timescale=off", "ui.lang=en"]
    assert store_cmd.main(["backup", str(tmp_path / "x.dump"), *ov]) == 2
    err = capsys.readouterr().err
    assert "pg_dump is not on PATH" in err
    assert f":{make_url(URL).password}@" not in err and "SCALP_TEST_BK_SRC" not in err     # no URL, no secret
