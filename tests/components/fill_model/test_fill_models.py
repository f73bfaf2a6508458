"""Fill models: config validation, seeded latency, Corwin-Schultz spread, bar fills on real Upbit 1m candles."""
import numpy as np
import pytest
import yaml

from components.exchange.sim import SimExchange
from components.types.tick import on_grid, table_tick
from components.types.feed.loaders import load_candles
from components.fill_model.bar import BarFill
from components.types.bar_spread import CorwinSchultz, corwin_schultz_batch
from registry import ConfigError, build

ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def btc_1m(shared_data):
    return load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")


@pytest.mark.parametrize("name", ["queue_conservative", "queue_probabilistic", "bar"])
def test_every_yaml_builds_its_component(name):
    node = yaml.safe_load((ROOT / "conf" / "fill_model" / f"{name}.yaml").read_text())
    fm = build("fill_model", node, path="fill_model")
    assert type(fm).__module__.endswith(name)


def test_bad_nodes_name_the_dotted_key():
    with pytest.raises(ConfigError, match=r"fill_model\.latency_dist"):
        build("fill_model", {"component": "bar", "latency_dist": "gauss"}, path="fill_model")
    with pytest.raises(ConfigError, match=r"fill_model\.queue_power"):
        build("fill_model", {"component": "queue_conservative", "queue_power": 2}, path="fill_model")
    with pytest.raises(ConfigError, match=r"fill_model\.order_latency_ms"):
        build("fill_model", {"component": "queue_probabilistic", "order_latency_ms": -5}, path="fill_model")


def test_constant_and_lognormal_latency_are_seeded():
    c = build("fill_model", {"component": "queue_conservative", "order_latency_ms": 50, "feed_latency_ms": 20}, path="fm")
    assert {c.arrival_delay_ms() for _ in range(20)} == {70}
    node = {"component": "queue_conservative", "order_latency_ms": 50, "latency_dist": "lognormal", "seed": 11}
    a, b = build("fill_model", node, path="fm"), build("fill_model", node, path="fm")
    da = [a.arrival_delay_ms() for _ in range(3000)]
    assert da == [b.arrival_delay_ms() for _ in range(3000)]
    assert abs(np.median(da) - 50) <= 3 and min(da) >= 0 and max(da) > 100    # heavy right tail
    b.reseed(12)
    assert [b.arrival_delay_ms() for _ in range(50)] != da[:50]


def test_corwin_schultz_online_equals_batch_on_real_candles(btc_1m):
    h, l = btc_1m.high[:3000], btc_1m.low[:3000]
    batch = corwin_schultz_batch(h, l, 20)
    cs = CorwinSchultz(20)
    online = np.array([cs.update(float(a), float(b)) for a, b in zip(h, l)])
    assert np.allclose(online[1:], batch[1:], equal_nan=True)
    spread = np.nanmedian(online)
    assert 0 <= spread < 0.005        # KRW-BTC spread is a few bps, never half a percent


def _bar_ex(**params):
    fm = BarFill(BarFill.Params(order_latency_ms=0, **params))
    return SimExchange(SimExchange.Params(max_total_krw=1e12)).bind(fill_model=fm, balances={"KRW": 1e12, "BTC": 10.0}, seed=0)


def test_bar_limit_fills_only_when_traded_through_and_capped_by_participation(btc_1m):
    ex = _bar_ex(participation=0.1)
    touched = through = 0
    for i in range(0, 2000):
        c, nxt = btc_1m.row(i), btc_1m.row(i + 1)
        ex.on_candle(c)
        if nxt.low >= c.close * 0.999 or not on_grid(nxt.low, table_tick(nxt.low)):
            continue                                   # keep the order passive (below the estimated bid)
        if i % 2 == 0:
            # a bid exactly at the next bar's low is touched, not traded through: no fill
            o = ex.create_order("KRW-BTC", "bid", "limit", volume=0.001, price=nxt.low)
            ex.on_candle(nxt)
            assert o.executed_volume == 0
            touched += 1
        else:
            px = nxt.low + table_tick(nxt.low)          # one tick above the low: traded through
            want = min(round(nxt.volume, 8), 5.0)      # often more than 10 % of the bar
            o = ex.create_order("KRW-BTC", "bid", "limit", volume=want, price=px)
            ex.on_candle(nxt)
            assert o.executed_volume == pytest.approx(min(want, 0.1 * nxt.volume), rel=1e-6, abs=1e-8)
            through += 1
        ex.cancel_order(o.uuid)
    assert touched >= 5 and through >= 5


def test_bar_market_orders_pay_half_spread_plus_slippage(btc_1m):
    ex = _bar_ex(spread="fixed", spread_bps=10, slippage_bps=5)
    for i in range(30):
        ex.on_candle(btc_1m.row(i))
    close = btc_1m.row(29).close
    b = ex.create_order("KRW-BTC", "bid", "price", price=1_000_000)
    a = ex.create_order("KRW-BTC", "ask", "market", volume=0.01)
    fb, fa = ex.drain_fills()
    assert fb.price >= close * (1 + 0.0005 + 0.0005) - 1e-6 and fa.price <= close * (1 - 0.001) + 1e-6
    assert fb.price - close * 1.001 < table_tick(close) and on_grid(fb.price, table_tick(fb.price))
    assert not fb.maker and b.state in ("done", "cancel") and a.state == "done"


def test_same_seed_same_fills_with_random_latency(btc_1m):
    def run(seed):
        fm = BarFill(BarFill.Params(order_latency_ms=30_000, latency_dist="lognormal", latency_sigma=1.0))
        ex = SimExchange(SimExchange.Params()).bind(fill_model=fm, balances={"KRW": 1e9}, seed=seed)
        for i in range(600):
            c = btc_1m.row(i)
            ex.on_candle(c)
            if i % 5 == 0:
                for o in ex.open_orders():
                    ex.cancel_order(o.uuid)
                ex.create_order("KRW-BTC", "bid", "limit", volume=0.001, price=c.close - 5 * table_tick(c.close))
        return [(f.ts_ms, f.price, f.volume) for f in ex.drain_fills()]
    assert run(1) == run(1) and run(1)
    assert run(1) != run(2)


def test_bar_latency_costs_takers_more_and_shrinks_the_first_bar_share(btc_1m):
    """What the latency sweep (0/50/200 ms) must show on candle data: later arrival, worse taker prices."""
    paid = []
    for lat in (0, 50, 200, 5_000):
        ex = SimExchange(SimExchange.Params()).bind(
            fill_model=BarFill(BarFill.Params(order_latency_ms=lat, spread="fixed", spread_bps=0, slippage_bps=0)),
            balances={"KRW": 1e9}, seed=0)
        premium = []
        for i in range(300):
            c = btc_1m.row(i)
            ex.on_candle(c)
            if i >= 20 and i % 10 == 0:
                ex.create_order("KRW-BTC", "bid", "price", price=100_000, ts_ms=c.close_ms)
                nxt = btc_1m.row(i + 1)
                ex.on_candle(nxt)                      # the order has arrived by the next close
                f = ex.drain_fills()
                premium.append(f[0].price / c.close - 1)
        paid.append(np.mean(premium))
    assert paid[0] <= paid[1] <= paid[2] < paid[3]
    fm = BarFill(BarFill.Params())
    assert fm.arrival_share(0, 60_000, -5) == 1.0 and fm.arrival_share(0, 60_000, 15_000) == pytest.approx(0.75)
    assert fm.arrival_share(0, 60_000, 60_000) == 0.0


def test_bar_stats_match_the_batch_estimators(btc_1m):
    from components.types.bar_spread import BarStats
    h, l = btc_1m.high[:500], btc_1m.low[:500]
    st = BarStats(20)
    for a, b in zip(h, l):
        st.update(float(a), float(b))
    assert st.value() == pytest.approx(corwin_schultz_batch(h, l, 20)[-1])
    park = np.sqrt(np.mean(np.log(h[-20:] / l[-20:]) ** 2) / (4 * np.log(2)))
    assert st.sigma() == pytest.approx(park)
