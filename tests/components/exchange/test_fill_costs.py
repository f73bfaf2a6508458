"""Every taker fill says what it paid against the mid (book) or last price (no book): half spread, slippage +
latency, tick rounding — the parts the ledger sums per round trip and the report shows in bps."""
import pytest

from components.fill_model.bar import BarFill
from components.types.events import Candle

M = "KRW-ADA"


def test_book_taker_pays_half_the_spread_then_the_walk(make_ex, upbit_book):
    ex = make_ex(krw=1e9)
    ex.on_book(upbit_book)                                # real snapshot: bid 1585 / ask 1590
    vol = round(upbit_book.ask_sz[0] + 1000.0, 8)
    ex.create_order(M, "bid", "limit", volume=vol, price=1595)
    first, second = ex.drain_fills()
    assert first.spread_krw == pytest.approx(2.5 * first.volume) and first.slippage_krw == 0
    assert second.spread_krw == pytest.approx(2.5 * second.volume)
    assert second.slippage_krw == pytest.approx(5.0 * second.volume)     # one level beyond the touch
    assert first.tick_krw == second.tick_krw == 0


def test_bar_taker_split_adds_up_to_the_move_from_the_last_close(make_ex):
    ex = make_ex(krw=1e7, fill_model=BarFill(BarFill.Params(order_latency_ms=0, slippage_bps=3.0)))
    for k in range(30):                                   # warm the spread estimator on real-looking bars
        ex.on_candle(Candle(M, k * 60_000, 1585.0, 1592.0 + k % 3, 1580.0 - k % 2, 1587.0, 1e5))
    ex.create_order(M, "bid", "price", price="100000")
    ex.create_order(M, "ask", "market", volume="20", ts_ms=ex.now_ms + 1)
    fills = ex.drain_fills()
    assert [f.side for f in fills] == ["bid", "ask"]
    for f in fills:
        paid = abs(f.price - 1587.0) * f.volume
        assert f.spread_krw + f.slippage_krw + f.tick_krw == pytest.approx(paid)
        assert f.spread_krw > 0 and f.slippage_krw > 0 and f.tick_krw >= 0


def test_makers_report_no_taker_cost(make_ex, upbit_book, ada_upbit):
    ex = make_ex(krw=1e9)
    ex.on_book(upbit_book)
    ex.create_order(M, "bid", "limit", volume="10", price="1585")
    trades = ada_upbit[0]
    for i in range(len(trades)):
        ex.on_trade(trades.row(i))
        if ex._fills:
            break
    for f in ex.drain_fills():
        assert f.maker and f.spread_krw == f.slippage_krw == f.tick_krw == 0
