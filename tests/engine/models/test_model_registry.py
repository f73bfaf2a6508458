"""The model registry (store table `models`, revision 0005) on SQLite and PostgreSQL: promote, rollback, prune."""
import os
import uuid

import pytest

from components.store.base import HEAD
from registry import build


def _exercise(store, tmp_path):
    from engine.models.registry import DEPLOYED, RETIRED, ModelRegistry
    reg = ModelRegistry(store)
    ids = []
    for k in range(4):
        folder = tmp_path / f"m{k}"
        folder.mkdir()
        ids.append(reg.add(path=str(folder), artifact=f"model/x/{k}", signature="sig", market_class="alts",
                           towers={"catboost": str(folder / "catboost")}, metrics={"net_pnl_krw": 100.0 * k}))
    other = reg.add(path=str(tmp_path), artifact="o", signature="other", market_class="alts", towers={}, metrics={})
    reg.promote(ids[0])
    reg.promote(ids[1])
    assert reg.deployed("alts", "sig")["id"] == ids[1]
    assert reg.get(ids[0])["status"] == RETIRED                     # the model it replaced
    assert reg.deployed("alts", "other") is None and reg.get(other)["status"] == "candidate"
    out, back = reg.rollback("alts", "sig")
    assert (out["id"], back["id"]) == (ids[1], ids[0])
    assert back["status"] == DEPLOYED and back["promoted_ms"] >= out["promoted_ms"]
    with pytest.raises(LookupError):        # a rolled-back model is never restored; nothing before ids[0]
        reg.rollback("alts", "sig")
    gone = reg.prune("alts", "sig", keep=2)
    assert gone == [ids[1]] and not (tmp_path / "m1").exists()     # ids[0] deployed: kept although old
    assert {r["id"] for r in reg.list("alts", "sig") if r["note"] != "pruned"} == {ids[3], ids[2], ids[0]}
    with pytest.raises(FileNotFoundError):
        reg.promote(ids[1])
    assert [r["id"] for r in reg.list()] == sorted([*ids, other], reverse=True)
    assert reg.get(ids[3])["metrics"] == {"net_pnl_krw": 300.0}


def test_registry_on_sqlite(tmp_path):
    store = build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    try:
        assert store.revision() == HEAD >= "0005"        # the models table came with 0005
        _exercise(store, tmp_path)
    finally:
        store.close()


@pytest.mark.postgres
def test_registry_on_postgres(tmp_path, monkeypatch):
    url = os.environ.get("SCALP_TEST_PG_URL")
    if not url:
        pytest.skip("SCALP_TEST_PG_URL not set (CI sets it; see README)")
    from sqlalchemy import create_engine, text
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    monkeypatch.setenv("SCALP_TEST_STORE_URL", f"{url}{sep}options=-csearch_path%3D{schema}")
    store = build("store", {"component": "postgres", "url_env": "SCALP_TEST_STORE_URL", "timescale": "off"})
    try:
        assert store.revision() == HEAD >= "0005"        # the models table came with 0005
        _exercise(store, tmp_path)
    finally:
        store.close()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
