"""SimExchange: order types x time in force, locked/fee arithmetic, Upbit errors, queue, latency (real KRW-ADA book)."""
import pytest

from components.types.upbit.errors import UpbitError
from components.fill_model.queue_conservative import QueueConservative
from components.types.events import ASK, BID, Trade

FEE = 0.0005
M = "KRW-ADA"
# first real KRW-ADA snapshot (2021-04-05): bids 1585 x 36898.86.., 1580 x 176770.96..; asks 1590 x 65730.51.., 1595 x 29562.13..


def _ex(make_ex, upbit_book, **kw):
    ex = make_ex(**kw)
    ex.on_book(upbit_book)
    return ex


def test_resting_limit_bid_locks_notional_plus_fee_and_renders_upbit_object(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1_000_000)
    o = ex.create_order(M, "bid", "limit", volume="10", price="1580", ts_ms=upbit_book.ts_ms)
    d = o.to_upbit()
    assert d["state"] == "wait" and d["reserved_fee"] == "7.9" and d["locked"] == "15807.9"
    assert d["remaining_fee"] == "7.9" and d["executed_volume"] == "0" and d["trades_count"] == 0
    assert d["created_at"].endswith("+09:00") and d["volume"] == "10"
    assert ex.balance("KRW") == pytest.approx((1_000_000 - 15807.9, 15807.9))
    ex.cancel_order(o.uuid)
    assert o.state == "cancel" and ex.balance("KRW") == (1_000_000, 0.0)


def test_marketable_limit_walks_levels_refunds_price_improvement(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1e9)
    vol = round(upbit_book.ask_sz[0] + 1000.0, 8)
    o = ex.create_order(M, "bid", "limit", volume=vol, price=1595)
    fills = ex.drain_fills()
    assert [f.price for f in fills] == [1590.0, 1595.0] and not any(f.maker for f in fills)
    assert fills[0].volume == pytest.approx(upbit_book.ask_sz[0])
    assert o.state == "done" and o.locked == 0
    cost = sum(f.price * f.volume for f in fills)
    assert ex.balance("KRW")[0] == pytest.approx(1e9 - cost * (1 + FEE))
    assert o.paid_fee == pytest.approx(cost * FEE) and ex.balance("ADA")[0] == pytest.approx(vol)


def test_plain_limit_rests_remainder_ioc_cancels_it(make_ex, upbit_book):
    vol = round(upbit_book.ask_sz[0] + 500.0, 8)
    ex = _ex(make_ex, upbit_book, krw=1e9)
    o = ex.create_order(M, "bid", "limit", volume=vol, price=1590)
    assert o.state == "wait" and o.remaining_volume == pytest.approx(500.0) and o.queue_ahead == 0.0
    assert o.locked == pytest.approx(500.0 * 1590 * (1 + FEE))
    ex2 = _ex(make_ex, upbit_book, krw=1e9)
    o2 = ex2.create_order(M, "bid", "limit", volume=vol, price=1590, time_in_force="ioc")
    assert o2.state == "cancel" and o2.executed_volume == pytest.approx(upbit_book.ask_sz[0])
    assert ex2.balance("KRW")[1] == 0.0


def test_fok_fills_all_or_nothing(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1e9)
    too_big = ex.create_order(M, "bid", "limit", volume=round(upbit_book.ask_sz[0] + 1, 8), price=1590, time_in_force="fok")
    assert too_big.state == "cancel" and too_big.executed_volume == 0 and ex.balance("KRW") == (1e9, 0.0)
    ok = ex.create_order(M, "bid", "limit", volume=1000, price=1590, time_in_force="fok")
    assert ok.state == "done" and ok.executed_volume == 1000


def test_post_only_never_takes(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book)
    crossing = ex.create_order(M, "bid", "limit", volume=10, price=1590, time_in_force="post_only")
    assert crossing.state == "cancel" and not ex.drain_fills() and ex.balance("KRW")[1] == 0
    passive = ex.create_order(M, "bid", "limit", volume=10, price=1585, time_in_force="post_only")
    assert passive.state == "wait" and passive.queue_ahead == pytest.approx(upbit_book.bid_sz[0])


def test_price_order_spends_krw_amount_and_ends_cancel_with_dust(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1_000_000)
    o = ex.create_order(M, "bid", "price", price="100000")
    d = o.to_upbit(trades=True)
    assert d["volume"] is None and d["remaining_volume"] is None and d["reserved_fee"] == "50"
    assert o.executed_volume == pytest.approx(100000 / 1590, abs=1e-8) and round(o.executed_volume, 8) == o.executed_volume
    assert o.executed_funds <= 100000 and o.state in ("cancel", "done") and o.locked == 0
    assert d["trades"][0]["price"] == "1590" and ex.balance("KRW")[1] == 0
    assert ex.balance("KRW")[0] == pytest.approx(1_000_000 - o.executed_funds * (1 + FEE))


def test_market_sell_walks_bids_and_has_no_price_key(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, coins={"ADA": 100_000.0})
    vol = round(upbit_book.bid_sz[0] + 100.0, 8)
    o = ex.create_order(M, "ask", "market", volume=vol)
    fills = ex.drain_fills()
    assert [f.price for f in fills] == [1585.0, 1580.0] and o.state == "done"
    assert "price" not in o.to_upbit() and o.reserved_fee == 0
    proceeds = sum(f.price * f.volume for f in fills)
    assert ex.balance("KRW")[0] == pytest.approx(10_000_000 + proceeds * (1 - FEE))
    assert ex.balance("ADA") == pytest.approx((100_000.0 - vol, 0.0))


def test_best_orders_take_only_the_best_level(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1e9, coins={"ADA": 1e6})
    krw = (upbit_book.ask_sz[0] + 10_000) * 1590
    b = ex.create_order(M, "bid", "best", price=round(krw), time_in_force="ioc")
    assert {f.price for f in ex.drain_fills()} == {1590.0} and b.state == "cancel"
    assert b.executed_volume == pytest.approx(upbit_book.ask_sz[0])
    a = ex.create_order(M, "ask", "best", volume=round(upbit_book.bid_sz[0] + 1, 8), time_in_force="fok")
    assert a.state == "cancel" and a.executed_volume == 0 and ex.balance("ADA")[1] == 0


@pytest.mark.parametrize("kwargs, name", [
    (dict(side="bid", ord_type="limit", volume="10", price="1590.5"), "invalid_price_bid"),
    (dict(side="ask", ord_type="limit", volume="10", price="1590.5"), "invalid_price_ask"),
    (dict(side="bid", ord_type="limit", volume="3", price="1590"), "under_min_total_bid"),
    (dict(side="bid", ord_type="price", price="4999"), "under_min_total_bid"),
    (dict(side="ask", ord_type="market", volume="3"), "under_min_total_ask"),
    (dict(side="bid", ord_type="limit", volume="100000", price="1590"), "insufficient_funds_bid"),
    (dict(side="bid", ord_type="limit", volume="1000000", price="1590"), "over_krw_funds_bid"),
    (dict(side="ask", ord_type="limit", volume="10", price="1600"), "insufficient_funds_ask"),
    (dict(side="bid", ord_type="limit", volume="10.123456789", price="1590"), "invalid_volume_bid"),
    (dict(side="ask", ord_type="price", price="10000"), "create_ask_error"),
    (dict(side="bid", ord_type="market", volume="10"), "create_bid_error"),
    (dict(side="bid", ord_type="best", price="10000"), "validation_error"),
    (dict(side="bid", ord_type="price", price="10000", time_in_force="post_only"), "validation_error"),
    (dict(side="buy", ord_type="limit", volume="10", price="1590"), "validation_error"),
    (dict(side="bid", ord_type="limit", volume="-1", price="1590"), "validation_error"),
])
def test_rejections_carry_upbit_error_names(make_ex, upbit_book, kwargs, name):
    ex = _ex(make_ex, upbit_book, krw=100_000)
    with pytest.raises(UpbitError) as e:
        ex.create_order(M, **kwargs)
    assert e.value.error_name == name and e.value.status == 400
    assert ex.balance("KRW") == (100_000, 0.0)       # a rejected order locks nothing


def test_identifier_is_unique_forever_even_after_a_rejection(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book)
    with pytest.raises(UpbitError, match="under_min_total_bid"):
        ex.create_order(M, "bid", "limit", volume="1", price="1580", identifier="x1")
    with pytest.raises(UpbitError) as e:
        ex.create_order(M, "bid", "limit", volume="10", price="1580", identifier="x1")
    assert e.value.error_name == "duplicated_identifier"
    o = ex.create_order(M, "bid", "limit", volume="10", price="1580", identifier="x2")
    assert ex.get_order(identifier="x2") is o and ex.cancel_order(identifier="x2").state == "cancel"
    with pytest.raises(UpbitError) as e:
        ex.get_order(uuid="nope")
    assert e.value.error_name == "order_not_found" and e.value.status == 404


def test_instruments_tick_override_changes_the_grid(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book)
    ex.create_order(M, "bid", "limit", volume="10", price="1581")       # table tick 1 KRW
    ex.set_tick_size(M, 5)                                               # the 2021 grid: 5 KRW
    with pytest.raises(UpbitError, match="invalid_price_bid"):
        ex.create_order(M, "bid", "limit", volume="10", price="1581")


def test_queue_ahead_must_trade_before_a_resting_bid_fills(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1e8)
    ahead = float(upbit_book.bid_sz[0])
    o = ex.create_order(M, "bid", "limit", volume=1000, price=1585)
    t = upbit_book.ts_ms + 1
    ex.on_trade(Trade(M, t, 1585.0, 500.0, BID, 1))                   # buyer-initiated: not against us
    ex.on_trade(Trade(M, t, 1585.0, ahead - 100.0, ASK, 2))             # eats the queue, 100 left ahead
    assert o.executed_volume == 0 and o.queue_ahead == pytest.approx(100.0)
    ex.on_trade(Trade(M, t, 1585.0, 400.0, ASK, 3))                     # 300 past the queue -> partial
    assert o.executed_volume == pytest.approx(300.0) and o.state == "wait"
    assert o.locked == pytest.approx(700 * 1585 * (1 + FEE))
    ex.on_trade(Trade(M, t, 1580.0, 1.0, ASK, 4))                       # print through our price
    f = ex.drain_fills()
    assert o.state == "done" and all(x.maker and x.price == 1585.0 for x in f)
    assert sum(x.volume for x in f) == pytest.approx(1000)


def test_order_latency_delays_arrival_and_cancel(make_ex, upbit_book):
    fm = QueueConservative(QueueConservative.Params(order_latency_ms=100))
    ex = _ex(make_ex, upbit_book, fill_model=fm, coins={"ADA": 1000.0})
    t0 = upbit_book.ts_ms
    o = ex.create_order(M, "ask", "limit", volume=10, price=1585, ts_ms=t0)   # would cross at arrival
    assert o.state == "wait" and o.arrival_ms == t0 + 100 and ex.balance("ADA")[1] == 10
    ex.on_trade(Trade(M, t0 + 50, 1586.0, 1.0, BID, 1))                        # before arrival: nothing
    assert o.executed_volume == 0
    ex.on_trade(Trade(M, t0 + 150, 1586.0, 1.0, BID, 2))                       # arrived at +100: took the bid
    assert o.state == "done" and ex.drain_fills()[0].ts_ms == t0 + 100
    r = ex.create_order(M, "bid", "limit", volume=10, price=1500, ts_ms=t0 + 200)
    ex.cancel_order(r.uuid, ts_ms=t0 + 210)
    assert r.state == "wait"                                                    # DELETE answers before it lands
    ex.advance(t0 + 310)
    assert r.state == "cancel" and ex.balance("KRW")[1] == 0


def test_market_orders_larger_than_the_visible_book_are_refused(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1e10, coins={"ADA": 1e7}, max_total_krw=1e12)
    ask_notional = float((upbit_book.ask_px * upbit_book.ask_sz).sum())
    with pytest.raises(UpbitError) as e:
        ex.create_order(M, "bid", "price", price=round(ask_notional * 1.01))
    assert e.value.error_name == "invalid_funds" and ex.balance("KRW") == (1e10, 0.0)
    with pytest.raises(UpbitError) as e:
        ex.create_order(M, "ask", "market", volume=round(float(upbit_book.bid_sz.sum()) + 1, 8))
    assert e.value.error_name == "volume_too_large"


def test_accounts_and_chance_have_upbit_shapes(make_ex, upbit_book):
    ex = _ex(make_ex, upbit_book, krw=1_000_000)
    ex.create_order(M, "bid", "limit", volume="10", price="1500")
    acc = ex.accounts()
    assert acc[0] == {"currency": "KRW", "balance": "984992.5", "locked": "15007.5", "avg_buy_price": "0",
                      "avg_buy_price_modified": False, "unit_currency": "KRW"}
    ch = ex.chance(M)
    assert ch["bid_fee"] == ch["maker_ask_fee"] == "0.0005" and ch["market"]["bid"]["min_total"] == "5000"
    assert ch["bid_account"]["locked"] == "15007.5" and ch["ask_account"]["currency"] == "ADA"


def test_candles_never_fill_a_market_that_has_tick_data(make_ex, upbit_book):
    from components.types.events import Candle
    ex = _ex(make_ex, upbit_book)
    o = ex.create_order(M, "bid", "limit", volume=10, price=1580)
    # a bar that traded far through our price: with prints/books present only they decide fills
    ex.on_candle(Candle(M, upbit_book.ts_ms - 60_000 + 1, 1585, 1590, 1500, 1585, 1e6))
    assert o.executed_volume == 0 and o.state == "wait"


def test_btc_market_uses_its_own_grid_and_minimum(make_ex):
    ex = make_ex(coins={"BTC": 1.0})
    with pytest.raises(UpbitError, match="under_min_total_bid"):
        ex.create_order("BTC-ETH", "bid", "limit", volume="0.001", price="0.03")     # 0.00003 BTC < 0.00005
    o = ex.create_order("BTC-ETH", "bid", "limit", volume="0.01", price="0.03123456")
    assert o.locked == pytest.approx(0.0003123456 * (1 + FEE)) and ex.balance("BTC")[1] == pytest.approx(o.locked)
