"""Recorder of the loop: buffers decisions, orders, fills, positions and equity and writes them in batches."""
from __future__ import annotations

import json
import logging
import operator
from typing import Any

import numpy as np

from components.types.jsontext import dict_rows_text, json_dumps
from components.types.orders import OrderIntent

log = logging.getLogger("scalp.store")
TABLES = ("decisions", "orders", "fills", "positions", "equity", "order_events")
# decisions and equity are buffered as tuples in these field orders (no dict per row); a store with
# `record_tuples` takes them as they are, any other writer gets the dicts. A decision waits as (ts, market,
# action, score, feature row, mark price, scores, reasons): its features dict (or JSON text, or the feature
# matrix of a column block: a backtest's decisions, see components/store/blocks.py) is built at flush.
MARK = "_mark_price"
REASONS_CACHE = 4096        # distinct reason lists kept encoded (most decisions repeat a few)
_DTYPE = operator.attrgetter("dtype")
FIELDS = {"decisions": ("ts_ms", "market", "action", "score", "features", "scores", "reasons"),
          "equity": ("ts_ms", "equity_krw", "cash_krw", "position_krw")}


class Recorder:
    """Rows wait in memory and go to the store one batch per table (`flush`), every `flush_rows` decisions
    and at the end of the run; without a store (or run id) they are dropped at flush.

    `tolerant` (paper/live): a failed write is counted in `errors` (the store_errors kill switch reads it) and
    its rows are kept for the next flush, up to `keep_rows` per table, instead of the exception stopping a
    session that holds positions. A backtest is not tolerant: a store that fails there fails the run."""

    def __init__(self, store: Any, run_id: int | None, flush_rows: int = 5_000, tolerant: bool = False,
                 keep_rows: int = 50_000) -> None:
        self.store, self.run_id, self.flush_rows = store, run_id, flush_rows
        self.tolerant, self.keep_rows = tolerant, keep_rows
        self.dropped = 0                  # rows given up after repeated failures (tolerant mode only)
        self.buf: dict[str, list] = {k: [] for k in TABLES}
        self.decisions = self.buf["decisions"]
        self.errors = 0
        self.on_flush: list = []          # callables run at every flush (e.g. risk state written in batches)
        self.feature_names: list[str] = []    # the names of a decision's feature row (set by the loop)
        self._reasons_text: dict[tuple, str] = {}

    @property
    def active(self) -> bool:
        return self.store is not None and self.run_id is not None

    def decision(self, ts: int, m: str, action: str, p: float, x: Any, px: float, scores: dict,
                 reasons: list) -> None:
        """One decision: `x` = its feature row (an array the caller does not change afterwards), `px` the
        mark price stored with the features under "_mark_price"."""
        self.decisions.append((ts, m, action, p if p == p else None, x, px, scores, reasons))
        if len(self.decisions) >= self.flush_rows:
            self.flush()

    def order(self, row: dict) -> None:
        self.buf["orders"].append(row)

    def order_event(self, row: dict) -> None:
        """One audit row (paper/live orders' state changes; backtests write none)."""
        self.buf["order_events"].append(row)

    def fill(self, f: Any) -> None:
        self.buf["fills"].append(f)

    def equity(self, ts: int, equity: float, cash: float, position_krw: float) -> None:
        self.buf["equity"].append((ts, equity, cash, position_krw))

    def reject(self, intent: OrderIntent, ts: int, why: str) -> None:
        self.buf["orders"].append({"ts_ms": ts, "market": intent.market, "side": intent.side,
                                   "ord_type": intent.ord_type, "price": intent.price, "volume": intent.volume,
                                   "state": "rejected", "identifier": intent.identifier, "uuid": None, "reason": why})

    def position(self, pos: Any, ts: int, closed: bool = False, trade: dict | None = None) -> None:
        row = {"ts_ms": ts, "market": pos.market, "volume": pos.volume, "cost_krw": pos.cost_krw,
               "realized_krw": pos.realized_krw, "fees_krw": pos.fees_krw, "closed": closed}
        if trade is not None:
            row["trade"] = trade
        self.buf["positions"].append(row)

    def flush(self) -> None:
        """Write buffered rows to the store (one batch per table)."""
        for fn in self.on_flush:
            try:
                fn()
            except Exception as e:
                self._failed("state", e)
        if not self.active:
            for rows in self.buf.values():
                rows.clear()
            return
        st = self.store
        writers = {"decisions": st.record_decisions, "orders": st.record_orders, "fills": st.record_fills,
                   "positions": st.record_positions, "equity": st.record_equity,
                   "order_events": getattr(st, "record_order_events", None)}
        # a backtest's store takes the tuples directly (its decisions as one column block); paper/live go
        # through the per-table writers
        tuples = None if self.tolerant else getattr(st, "record_tuples", None)
        block = None if self.tolerant else getattr(st, "record_decision_block", None)
        text = tuples is not None and bool(getattr(st, "json_as_text", False))
        for k, rows in self.buf.items():
            if rows and writers[k] is None:
                rows.clear()
            elif rows:
                try:
                    fields = FIELDS.get(k)
                    if k == "decisions" and block is not None:
                        block(self.run_id, self._decision_columns(rows))
                        rows.clear()
                        continue
                    out = self._decision_rows(rows, text) if k == "decisions" else rows
                    if fields is None:
                        writers[k](self.run_id, out)
                    elif tuples is not None:
                        if k == "decisions":
                            tuples(k, self.run_id, fields, out, json_text=text)
                        else:
                            tuples(k, self.run_id, fields, out)
                    else:
                        writers[k](self.run_id, [dict(zip(fields, r)) for r in out])
                except Exception as e:
                    self._failed(k, e)
                    if len(rows) > self.keep_rows:        # bounded memory while the store is down
                        self.dropped += len(rows) - self.keep_rows
                        del rows[:len(rows) - self.keep_rows]
                    continue
                rows.clear()

    def _decision_rows(self, rows: list[tuple], text: bool) -> list[tuple]:
        """The buffered decisions as FIELDS["decisions"] tuples: features, scores and reasons as objects,
        or (`text`) as the JSON text json_dumps makes of them, built column by column for the batch."""
        ts, mk, act, p, xs, pxs, scores, reasons = zip(*rows)
        names = self.feature_names
        if not text:
            feats = [_features(names, x, px) for x, px in zip(xs, pxs)]
            return list(zip(ts, mk, act, p, feats, scores, reasons))
        X = self._feature_matrix(xs, pxs)
        if X is not None:
            feats = dict_rows_text(names + [MARK], X)
        else:
            feats = [json_dumps(_features(names, x, px)) for x, px in zip(xs, pxs)]
        cache = self._reasons_text
        if len(cache) > REASONS_CACHE:
            cache.clear()
        rtext = []
        for r in reasons:
            key = tuple(r)
            s = cache.get(key)
            if s is None:
                s = cache[key] = json_dumps(r)
            rtext.append(s)
        return list(zip(ts, mk, act, p, feats, list(map(json_dumps, scores)), rtext))

    def _feature_matrix(self, xs: tuple, pxs: tuple) -> np.ndarray | None:
        """The batch's features with the mark price as the last column (n x k+1 float64), when every row is a
        float64 array of the feature names' length, the names are distinct and every mark price a float (the
        values the per-row dicts hold, type for type); else None."""
        names = self.feature_names
        if not (len(set(names)) == len(names) and MARK not in names and set(map(type, xs)) == {np.ndarray}
                and set(map(_DTYPE, xs)) == {np.dtype(np.float64)} and set(map(type, pxs)) == {float}):
            return None
        X = np.empty((len(xs), len(names) + 1))
        if names:
            rows = np.array(xs)         # one C pass (np.vstack makes every row 2-d first)
            if rows.shape != (len(xs), len(names)):
                return None
            X[:, :-1] = rows
        elif set(map(len, xs)) != {0}:
            return None
        X[:, -1] = pxs
        return X

    def _decision_columns(self, rows: list[tuple]) -> dict:
        """The buffered decisions as the columns of one store block (components/store/blocks.py): the feature
        matrix where `_feature_matrix` allows, else one features dict per row."""
        ts, mk, act, p, xs, pxs, scores, reasons = zip(*rows)
        X = self._feature_matrix(xs, pxs)
        cols = {"ts_ms": ts, "market": mk, "action": act, "score": p, "scores": scores, "reasons": reasons}
        if X is not None:
            return {**cols, "features": X, "feature_names": self.feature_names + [MARK]}
        return {**cols, "features": [_features(self.feature_names, x, px) for x, px in zip(xs, pxs)]}

    def _failed(self, table: str, e: Exception) -> None:
        self.errors += 1
        if not self.tolerant:
            raise e
        log.warning(json.dumps({"event": "store_write_failed", "table": table, "error": type(e).__name__,
                                "detail": str(e)[:200], "errors": self.errors}))


def _features(names: list[str], x: Any, px: float) -> dict:
    feats = dict(zip(names, x.tolist()))
    feats[MARK] = px
    return feats
