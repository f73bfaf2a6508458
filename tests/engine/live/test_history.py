"""The arithmetic of a resume: positions from fills, fills an order still owes the store, the closed-order window."""
import pytest

from components.types.orders import Fill
from engine.live.history import CLOSED_WINDOW_MS, SCAN_MARGIN_MS, scan_since_ms, walk_positions
from engine.live.resume import missing_fills


def test_positions_are_volume_weighted_with_buy_fees_and_sells_take_their_share():
    fills = [Fill("KRW-A", "o1", "bid", 100.0, 1.0, 0.05, 1_000),
             Fill("KRW-A", "o2", "bid", 110.0, 1.0, 0.055, 2_000),
             {"market": "KRW-A", "order_uuid": "o3", "side": "ask", "price": 120.0, "volume": 0.5, "fee_krw": 0.03,
              "ts_ms": 3_000},
             Fill("KRW-B", "o4", "bid", 10.0, 3.0, 0.015, 500),
             Fill("KRW-B", "o5", "ask", 12.0, 3.0, 0.018, 4_000)]
    pos = walk_positions(fills)
    assert pos["KRW-A"].volume == pytest.approx(1.5)
    assert pos["KRW-A"].cost_krw == pytest.approx((100 + 0.05 + 110 + 0.055) * 0.75)
    assert pos["KRW-A"].entry_ts_ms == 1_000
    assert pos["KRW-B"].volume == 0.0                    # flat again: nothing to resume there


def order(trades, paid_fee, state="done"):
    vol = sum(float(t["volume"]) for t in trades)
    funds = sum(float(t["price"]) * float(t["volume"]) for t in trades)
    return {"uuid": "u1", "market": "KRW-A", "side": "bid", "state": state, "executed_volume": str(vol),
            "executed_funds": str(funds), "paid_fee": str(paid_fee),
            "trades": [{**t, "funds": str(float(t["price"]) * float(t["volume"]))} for t in trades]}


TRADES = [{"uuid": "t1", "price": "100", "volume": "2", "created_at": "2021-04-05T18:17:03+09:00"},
          {"uuid": "t2", "price": "101", "volume": "1", "created_at": "2021-04-05T18:17:05+09:00"}]


def test_an_order_nobody_booked_gives_every_trade_with_its_share_of_the_fee():
    fills = missing_fills(order(TRADES, 0.1505), None)
    assert [(f.price, f.volume) for f in fills] == [(100.0, 2.0), (101.0, 1.0)]
    assert sum(f.fee_krw for f in fills) == pytest.approx(0.1505)
    assert fills[0].fee_krw == pytest.approx(0.1505 * 200 / 301)
    assert fills[1].ts_ms - fills[0].ts_ms == 2_000


def test_a_partly_booked_order_gives_only_the_remainder_and_a_booked_one_nothing():
    booked = [2.0, 200.0, 0.1]                           # the first trade reached the store before the kill
    fills = missing_fills(order(TRADES, 0.1505), booked)
    assert len(fills) == 1
    assert fills[0].volume == pytest.approx(1.0) and fills[0].price == pytest.approx(101.0)
    assert fills[0].fee_krw == pytest.approx(0.0505)
    assert missing_fills(order(TRADES, 0.1505), [3.0, 301.0, 0.1505]) == []


def test_closed_orders_are_scanned_from_the_last_clean_run_on():
    now = 10 * 86_400_000
    runs = [{"started_ms": now - 5_000_000, "status": "done"}, {"started_ms": now - 3_000_000, "status": "crashed"},
            {"started_ms": now - 1_000_000, "status": "crashed"}]
    assert scan_since_ms(runs, now) == now - 5_000_000 - SCAN_MARGIN_MS
    assert scan_since_ms(runs[1:], now) == now - 3_000_000 - SCAN_MARGIN_MS      # no clean run: from the oldest
    assert scan_since_ms([*runs, {"started_ms": now - 500_000, "status": "done"}], now) == \
        now - 500_000 - SCAN_MARGIN_MS
    assert scan_since_ms([{"started_ms": 0, "status": "crashed"}], now) == now - CLOSED_WINDOW_MS + SCAN_MARGIN_MS
    assert scan_since_ms([], now) == now


def test_a_rebuilt_row_is_never_older_than_the_markets_latest_row():
    """A stop wrote 'holding' at its last event time (2,000); the sell fill booked at the next start is older
    (1,500): the flat row must still come last, or the store would keep saying the coin is held."""
    from engine.live.history import StoredBook
    from engine.live.resume import Resumed, row_times
    out = Resumed(flat=[{"market": "KRW-STX", "ts_ms": 1_500}],
                  positions=[{"market": "KRW-ADA", "last_fill_ms": 3_000}])
    row_times(out, StoredBook(position_ms={"KRW-STX": 2_000, "KRW-ADA": 1_000}))
    assert out.flat[0]["row_ms"] == 2_000 and out.positions[0]["row_ms"] == 3_000
