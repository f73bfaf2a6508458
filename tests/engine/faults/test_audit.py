"""The fault suite's definitions: duplicate entries, lost and double-booked fills, zombies, balance mismatches."""
import sqlite3
from types import SimpleNamespace

import pytest

from engine.bench._faults_audit import _duplicate_entries, _lost_fills, audit_bot, repeat_sells

pytestmark = pytest.mark.faults
T0 = 1_617_600_000_000


def _at(ms):
    import datetime as dt
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone(dt.timedelta(hours=9))).isoformat(timespec="microseconds")


def order(ident, side, created_ms, trades=(), state="done", market="KRW-DAWN"):
    trs = [{"created_at": _at(ms), "volume": str(v), "price": str(p)} for ms, v, p in trades]
    return SimpleNamespace(identifier=ident, uuid=f"u-{ident}", side=side, created_ms=created_ms, trades=trs,
                           state=state, market=market, executed_volume=sum(v for _, v, _ in trades))


def test_a_bid_while_holding_is_a_duplicate_entry_and_one_after_the_exit_is_not():
    buy = order("scalp-1", "bid", T0, [(T0 + 10, 100.0, 1000.0)])          # 100 000 KRW held
    again = order("scalp-2", "bid", T0 + 5_000)                            # while holding: duplicate
    sell = order("scalp-3", "ask", T0 + 6_000, [(T0 + 6_010, 100.0, 1000.0)])
    later = order("scalp-4", "bid", T0 + 9_000)                            # flat again: a new entry
    assert _duplicate_entries([buy, again, sell, later]) == 1


def test_dust_below_the_minimum_order_does_not_make_a_duplicate():
    buy = order("scalp-1", "bid", T0, [(T0 + 10, 1.0, 1000.0)])            # 1 000 KRW: unsellable dust
    assert _duplicate_entries([buy, order("scalp-2", "bid", T0 + 5_000)]) == 0


def test_lost_and_double_booked_fills_are_counted_per_trade_and_order():
    o = order("scalp-1", "bid", T0, [(T0 + 1, 1.0, 10.0), (T0 + 2, 2.0, 10.0)])
    assert _lost_fills([o], {"u-scalp-1": 3.0}) == (0, 0)
    assert _lost_fills([o], {"u-scalp-1": 1.0}) == (1, 0)
    assert _lost_fills([o], {}) == (2, 0)
    assert _lost_fills([o], {"u-scalp-1": 6.0}) == (0, 1)


def test_repeat_sells_read_the_exchange_refusals_of_asks():
    assert repeat_sells({"201": 9, "400 insufficient_funds_ask": 3, "400 insufficient_funds_bid": 2}) == 3


def _store(path, orders=(), fills=(), positions=()):
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE orders (id INTEGER PRIMARY KEY, identifier TEXT, state TEXT);"
                      "CREATE TABLE fills (id INTEGER PRIMARY KEY, order_uuid TEXT, volume REAL);"
                      "CREATE TABLE positions (id INTEGER PRIMARY KEY, ts_ms INTEGER, market TEXT, volume REAL, "
                      "extra TEXT); CREATE TABLE runs (id INTEGER PRIMARY KEY, status TEXT);")
    con.executemany("INSERT INTO orders (identifier, state) VALUES (?, ?)", orders)
    con.executemany("INSERT INTO fills (order_uuid, volume) VALUES (?, ?)", fills)
    con.executemany("INSERT INTO positions (ts_ms, market, volume, extra) VALUES (?, ?, ?, ?)", positions)
    con.commit()
    con.close()


def test_zombies_and_mismatches_against_a_store(tmp_path):
    held = order("scalp-1", "bid", T0, [(T0 + 1, 50.0, 1000.0)])
    resting = order("scalp-2", "bid", T0 + 100, state="wait")
    known = order("scalp-3", "bid", T0 + 200, state="wait")
    foreign = order("manual-1", "bid", T0 + 300, state="wait")             # not ours: never a zombie
    ex = SimpleNamespace(open_orders=lambda: [resting, known, foreign], closed_orders=lambda: [held],
                         accounts=lambda: [{"currency": "KRW", "balance": "1", "locked": "0"},
                                           {"currency": "DAWN", "balance": "50", "locked": "0"}])
    db = tmp_path / "s.db"
    _store(db, orders=[("scalp-2", "cancel"), ("scalp-3", "wait")], fills=[("u-scalp-1", 50.0)],
           positions=[(T0, "KRW-DAWN", 50.0, '{"closed": false}')])
    out = audit_bot(ex, db)
    assert out["zombies"] == 1 and out["zombie_identifiers"] == ["scalp-2"]
    assert out["balance_mismatches"] == 0 and out["lost_fills"] == 0
    db2 = tmp_path / "s2.db"
    _store(db2, positions=[(T0, "KRW-DAWN", 50.0, '{"closed": false}'), (T0 + 5, "KRW-DAWN", 0.0, '{"closed": true}')])
    out = audit_bot(ex, db2)
    assert out["balance_mismatches"] == 1 and out["mismatch_detail"][0]["currency"] == "DAWN"
    assert out["lost_fills"] == 1 and out["zombies"] == 2 and out["orders_untracked_by_identifier"] == 3
