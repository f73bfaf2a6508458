"""The cost model: tick rounding as a cost, the spread model (book, bar estimate, floor), fee arithmetic,
and that the simulated exchange fills exactly where the model says a taker pays."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import registry
from components.types.costs import UPBIT_FEE_RATE, CostModel
from components.types.events import Candle
from components.types.orders import Fill, Position

COIN = "KRW-XYZ"          # a ~180 KRW coin: Upbit's tick there is 1 KRW


def test_one_tick_on_a_180_krw_coin_costs_about_55_bps_per_side():
    c = CostModel(spread_floor_frac=0.0, slippage_frac=0.0)
    assert c.tick_size(COIN, 180.0) == 1.0
    assert c.tick_cost_frac(COIN, 180.0) * 1e4 == pytest.approx(55.6, abs=0.1)
    # candles: half a (tiny) spread still rounds a taker a whole tick away from the close
    c.observe_bar_spread(COIN, 0.0005)
    assert c.taker_move_frac(COIN, 180.0) * 1e4 == pytest.approx(55.6, abs=0.1)
    rt = c.round_trip_cost_frac(COIN, 180.0)
    assert rt == pytest.approx(2 * UPBIT_FEE_RATE + 2 / 180.0)
    # on BTC the same grid is a rounding error
    assert c.tick_cost_frac("KRW-BTC", 150_000_000.0) * 1e4 < 0.1


def test_spread_is_never_zero_on_candles():
    c = CostModel(spread_floor_frac=0.0)
    assert c.spread_frac(COIN, 180.0) == pytest.approx(1 / 180.0)          # at least one tick
    c.observe_bar_spread(COIN, 0.0)
    assert c.spread_frac(COIN, 180.0) > 0
    floored = CostModel(spread_floor_frac=3e-4)
    assert floored.spread_frac("KRW-BTC") == 3e-4                           # no price known: the floor
    floored.observe_bar_spread("KRW-BTC", 8e-4)
    assert floored.spread_frac("KRW-BTC", 150_000_000.0) == 8e-4            # the bar estimate above the floor
    floored.observe_bar_spread("KRW-BTC", math.nan)                         # not warm: keeps the last estimate
    assert floored.spread_frac("KRW-BTC", 150_000_000.0) == 8e-4
    fixed = CostModel(spread_source="fixed", spread_floor_frac=3e-4)
    fixed.observe_bar_spread("KRW-BTC", 8e-4)
    assert fixed.spread_frac("KRW-BTC", 150_000_000.0) == 3e-4              # fixed: the estimate is ignored


def test_a_book_replaces_the_estimate_and_needs_no_rounding_or_slippage():
    c = CostModel(slippage_frac=5e-4)
    c.observe_bar_spread(COIN, 0.01)
    c.observe_book(COIN, 180.0, 181.0)
    assert c.has_book(COIN)
    assert c.spread_frac(COIN, 180.5) == pytest.approx(1 / 180.5)
    assert c.taker_move_frac(COIN, 180.5) == pytest.approx(0.5 / 180.5)      # buy at the ask, from the mid
    c.observe_book(COIN, 181.0, 180.0)                                      # crossed: ignored
    assert c.spread_frac(COIN, 180.5) == pytest.approx(1 / 180.5)


def test_tick_overrides_come_from_config_then_the_instruments():
    c = CostModel(tick_sizes={"KRW-USDT": 1.0})
    assert c.tick_size("KRW-USDT", 1400.0) == 1.0
    assert c.tick_size("KRW-ETH", 1400.0) == 1.0 and c.tick_size("KRW-ETH", 5_000_000.0) == 1000.0
    c.observe_tick_size("KRW-ETH", 5.0)
    assert c.tick_size("KRW-ETH", 5_000_000.0) == 5.0


def test_latency_cost_needs_bar_volatility_and_no_book():
    c = CostModel(latency_ms=100.0)
    assert c.latency_cost_frac(COIN) == 0.0
    c.observe_bar_vol(COIN, 0.002, 60_000)
    expected = math.sqrt(2 / math.pi) * 0.002 * math.sqrt(100 / 60_000)
    assert c.latency_cost_frac(COIN) == pytest.approx(expected)
    assert CostModel(latency_ms=100.0, latency_adverse=False).latency_cost_frac(COIN) == 0.0
    c.observe_book(COIN, 180.0, 181.0)
    assert c.latency_cost_frac(COIN) == 0.0


fees = st.floats(0.0, 0.003)
prices = st.floats(1.0, 1e8)


@settings(max_examples=200, deadline=None)
@given(fee=fees, buy=prices, move=st.floats(-0.2, 0.2), notional=st.floats(5_000, 1e7))
def test_net_return_of_a_position_is_both_fees_off_the_price_move(fee, buy, move, notional):
    c = CostModel(fee_rate=fee)
    vol = notional / buy
    pos = Position("KRW-X")
    pos.apply(Fill("KRW-X", "o", "bid", buy, vol, c.buy_fee_krw(buy * vol), 0))
    sell = buy * (1 + move)
    want = (1 + move) * (1 - fee) / (1 + fee) - 1
    assert c.net_return(pos.cost_krw, pos.volume, sell) == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert pos.net_return(sell, fee) == pytest.approx(want, rel=1e-9, abs=1e-12)
    # a taker round trip on a book also crosses the spread: half of it on each side
    c.observe_book("KRW-X", buy - c.tick_size("KRW-X", buy), buy + c.tick_size("KRW-X", buy))
    half = c.tick_size("KRW-X", buy) / buy
    taker = (1 + move) * (1 - half) * (1 - fee) / ((1 + half) * (1 + fee)) - 1
    assert c.round_trip_net_return(move, "KRW-X", buy) == pytest.approx(taker, rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(fee=fees, balance=st.floats(0, 1e9))
def test_affordable_buy_plus_fee_fits_the_balance_to_the_krw(fee, balance):
    c = CostModel(fee_rate=fee)
    a = c.affordable_krw(balance)
    assert a == math.floor(a)
    assert a * (1 + fee) <= balance + 1e-6
    assert (a + 1) * (1 + fee) > balance


@settings(max_examples=200, deadline=None)
@given(fee=fees, price=prices, spread_bps=st.floats(0, 50), slip_bps=st.floats(0, 20))
def test_round_trip_cost_covers_fees_spread_slippage_and_at_least_a_tick_per_side(fee, price, spread_bps, slip_bps):
    c = CostModel(fee_rate=fee, spread_floor_frac=spread_bps * 1e-4, slippage_frac=slip_bps * 1e-4)
    rt = c.round_trip_cost_frac(COIN, price)
    spread = c.spread_frac(COIN, price)
    assert rt >= 2 * fee + spread + 2 * slip_bps * 1e-4 - 1e-15
    assert rt >= 2 * fee + 2 * c.tick_cost_frac(COIN, price) - 1e-15
    assert rt <= 2 * fee + spread + 2 * slip_bps * 1e-4 + 2 * c.tick_cost_frac(COIN, price) + 1e-12
    assert c.round_trip_net_return(0.0, COIN, price) < 0 or rt == 0


def test_from_params_reads_the_exchange_and_fill_model_config():
    registry.load_all()
    ex = registry.parse_params("exchange", {"component": "sim", "fee_rate": 0.0004, "min_total_krw": 6000,
                                            "tick_sizes": {"KRW-USDT": 1}})[1]
    fm = registry.parse_params("fill_model", {"component": "bar", "spread_bps": 3.0, "slippage_bps": 2.0,
                                              "order_latency_ms": 80, "feed_latency_ms": 20})[1]
    c = CostModel.from_params(ex, fm)
    assert (c.fee_rate, c.min_order_krw, c.tick_size("KRW-USDT", 1400.0)) == (0.0004, 6000.0, 1.0)
    assert (c.spread_floor_frac, c.slippage_frac, c.latency_ms) == pytest.approx((3e-4, 2e-4, 100.0))
    assert c.spread_source == "corwin_schultz"


def test_build_cost_model_names_the_config_path_of_a_bad_fee():
    from engine.app import compose, job_config
    from engine.costs import build_cost_model
    registry.load_all()
    assert build_cost_model(job_config(compose(["exchange.fee_rate=0.0004"]))).fee_rate == 0.0004
    with pytest.raises(registry.ConfigError, match=r"exchange\.fee_rate"):
        build_cost_model(job_config(compose(["exchange.fee_rate=0.5"])))


def _bars(n: int, px: float = 180.0):
    for k in range(n):
        yield Candle(COIN, k * 60_000, px, px + 1, px - 1, px, 1e6)


@pytest.mark.parametrize("latency_ms", [0, 200])
def test_the_simulated_exchange_fills_a_taker_where_the_model_prices_it(latency_ms):
    """Sim fills and the entry's cost are one model: a market buy on candles pays exactly taker_move_frac."""
    registry.load_all()
    ex = registry.build("exchange", {"component": "sim", "fee_rate": 0.0004}, path="exchange")
    fm = registry.build("fill_model", {"component": "bar", "order_latency_ms": latency_ms}, path="fill_model")
    ex.bind(fill_model=fm, balances={"KRW": 1_000_000}, seed=1)
    for c in _bars(30):
        ex.on_event(c)
    costs = ex.costs
    assert costs.fee_rate == 0.0004 and math.isfinite(costs.spread_frac(COIN, 180.0))
    ex.create_order(COIN, "bid", "price", price="100000", ts_ms=30 * 60_000)
    ex.advance(30 * 60_000 + latency_ms + 1)
    (fill,) = ex.drain_fills()
    move = costs.taker_move_frac(COIN, 180.0)
    assert fill.price == pytest.approx(180.0 * (1 + move))
    assert fill.fee_krw == pytest.approx(fill.price * fill.volume * 0.0004)
    assert move * 1e4 >= 55.0                                   # at least the 1 KRW tick on a 180 KRW coin


def test_on_real_candles_every_sim_market_buy_pays_what_the_model_says(bundled_data):
    """One truth: the entry's cost and the simulated fill agree on every order, not just on average."""
    registry.load_all()
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    c = feed.load(["KRW-XRP"])["KRW-XRP"].candles
    ex = registry.build("exchange", {"component": "sim"}, path="exchange")
    ex.bind(fill_model=registry.build("fill_model", {"component": "bar"}, path="fill_model"),
            balances={"KRW": 1e9}, seed=0)
    moved, priced, tick = [], [], []
    for i in range(min(len(c.ts_ms), 2_000)):
        bar = Candle("KRW-XRP", int(c.ts_ms[i]), float(c.open[i]), float(c.high[i]), float(c.low[i]),
                     float(c.close[i]), float(c.volume[i]), interval_s=int(c.interval_s))
        ex.on_event(bar)
        if i >= 25 and i % 40 == 0:
            priced.append(ex.costs.taker_move_frac("KRW-XRP", bar.close))
            tick.append(ex.costs.tick_cost_frac("KRW-XRP", bar.close))
            ex.create_order("KRW-XRP", "bid", "price", price="200000", ts_ms=bar.close_ms)
            ex.advance(bar.close_ms + 10_000)
            (fill,) = ex.drain_fills()
            moved.append(fill.price / bar.close - 1)
    assert len(moved) > 20
    np.testing.assert_allclose(moved, priced, rtol=1e-9, atol=1e-12)
    assert np.all(np.array(priced) >= np.array(tick) - 1e-15)       # a taker always pays at least a tick
