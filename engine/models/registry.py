"""The model registry in the store (table `models`, revision 0005): add, list, promote, roll back, prune."""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

DEPLOYED, CANDIDATE, RETIRED = "deployed", "candidate", "retired"
ROLLED_BACK = "rolled back"          # note of a model a rollback took out: never a rollback target again
PRUNED = "pruned"                    # note of a model whose files `prune` deleted


def now_ms() -> int:
    return int(time.time() * 1000)


class ModelRegistry:
    """Rows of the store's `models` table: one per saved model, keyed for use by (market class, config
    signature); at most one `deployed` per key. Reads the table's columns from the database itself."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._table = None

    @property
    def table(self):
        if self._table is None:
            from sqlalchemy import MetaData, Table
            self._table = Table("models", MetaData(), autoload_with=self.store.engine)
        return self._table

    def _run(self, stmt) -> Any:
        with self.store.engine.begin() as conn:
            return conn.execute(stmt)

    def _rows(self, *where, newest_first: bool = True) -> list[dict]:
        from sqlalchemy import select
        t = self.table
        order = t.c.id.desc() if newest_first else t.c.id
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(t).where(*where).order_by(order))]

    # -- writes --------------------------------------------------------------------------------------
    def add(self, *, path: str, artifact: str, signature: str, market_class: str, towers: dict, metrics: dict,
            status: str = CANDIDATE, note: str = "") -> int:
        from sqlalchemy import insert
        row = dict(path=str(path), artifact=artifact, signature=signature, market_class=market_class,
                   towers=dict(towers), metrics=dict(metrics), status=status, created_ms=now_ms(),
                   promoted_ms=None, note=note)
        return int(self._run(insert(self.table).values(**row)).inserted_primary_key[0])

    def _set(self, model_id: int, **values: Any) -> None:
        from sqlalchemy import update
        self._run(update(self.table).where(self.table.c.id == int(model_id)).values(**values))

    def promote(self, model_id: int, note: str = "") -> dict:
        """Deploy `model_id`; the model deployed for its class and signature until now is retired."""
        row = self.get(model_id)
        if row is None:
            raise KeyError(model_id)
        if row.get("note") == PRUNED:
            raise FileNotFoundError(row["path"])
        old = self.deployed(row["market_class"], row["signature"])
        if old is not None and old["id"] != row["id"]:
            self._set(old["id"], status=RETIRED)
        self._set(row["id"], status=DEPLOYED, promoted_ms=now_ms(), note=note or row.get("note") or "")
        return self.get(row["id"])

    def rollback(self, market_class: str, signature: str) -> tuple[dict, dict]:
        """(model taken out, model restored): the deployed model of the key is retired for good and the one
        deployed before it (latest promotion, files present, never rolled back) is deployed again."""
        cur = self.deployed(market_class, signature)
        if cur is None:
            raise LookupError(f"{market_class}/{signature}")
        earlier = [r for r in self.list(market_class, signature)
                   if r["id"] != cur["id"] and r["promoted_ms"] is not None and r["note"] not in (ROLLED_BACK, PRUNED)
                   and Path(r["path"]).exists()]
        if not earlier:
            raise LookupError(f"{market_class}/{signature}: nothing deployed before model {cur['id']}")
        prev = max(earlier, key=lambda r: (r["promoted_ms"], r["id"]))
        self._set(cur["id"], status=RETIRED, note=ROLLED_BACK)
        self._set(prev["id"], status=DEPLOYED, promoted_ms=now_ms())
        return self.get(cur["id"]), self.get(prev["id"])

    def prune(self, market_class: str, signature: str, keep: int) -> list[int]:
        """Keep the newest `keep` models of the key (the deployed one always): older ones are retired and
        their folders deleted. Returns the ids pruned."""
        rows = [r for r in self.list(market_class, signature) if r["note"] != PRUNED]
        kept = {r["id"] for r in rows[:keep]} | {r["id"] for r in rows if r["status"] == DEPLOYED}
        gone = []
        for r in rows:
            if r["id"] in kept:
                continue
            shutil.rmtree(r["path"], ignore_errors=True)
            self._set(r["id"], status=RETIRED, note=PRUNED)
            gone.append(int(r["id"]))
        return gone

    # -- reads ---------------------------------------------------------------------------------------
    def get(self, model_id: int) -> dict | None:
        rows = self._rows(self.table.c.id == int(model_id))
        return rows[0] if rows else None

    def list(self, market_class: str | None = None, signature: str | None = None) -> list[dict]:
        """Newest first; optionally one class and/or one config signature."""
        t = self.table
        where = [c for c in ((t.c.market_class == market_class) if market_class else None,
                             (t.c.signature == signature) if signature else None) if c is not None]
        return self._rows(*where)

    def deployed(self, market_class: str, signature: str) -> dict | None:
        t = self.table
        rows = self._rows(t.c.market_class == market_class, t.c.signature == signature, t.c.status == DEPLOYED)
        return rows[0] if rows else None
