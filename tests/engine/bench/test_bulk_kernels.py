"""The benchmark's numba bulk kernels (engine/bench/_bulk.py) equal the event-driven SimExchange on the peers'
quoting workload and on a ladder of passive orders (real Binance BTC/ETH)."""
import numpy as np
import pytest

from components.fill_model.queue_conservative import QueueConservative
from components.fill_model.queue_probabilistic import QueueProbabilistic
from engine.bench._bulk import quote_one, replay_match
from engine.bench.matching import build_events, load_binance, python_quoting, sim_for_binance


@pytest.fixture(scope="module")
def binance(shared_data):
    return load_binance(shared_data)


@pytest.mark.parametrize("power, latency_ms", [(0.0, 0), (2.0, 0), (0.0, 50), (2.0, 300)])
def test_sim_exchange_matches_bulk_kernel_on_peer_workload(binance, power, latency_ms):
    ev, tr, bk, trades, books = binance
    st = quote_one(*ev, *tr, *bk, 0.001, 1000, latency_ms, power, np.zeros(8))
    fm = (QueueConservative(QueueConservative.Params(order_latency_ms=latency_ms)) if power == 0
          else QueueProbabilistic(QueueProbabilistic.Params(order_latency_ms=latency_ms, queue_power=power)))
    ex = sim_for_binance(fm)
    stats, pos = python_quoting(build_events(trades, books), ex)
    assert (stats["new"], stats["replace"], stats["cancel"], stats["filled"]) == (st[0], st[1], st[2], st[4])
    assert pos == pytest.approx(st[6], abs=1e-9)
    assert st[4] > 50                                  # the workload really fills (not a vacuous match)
    btc_total = sum(ex.balance("BTC"))
    assert btc_total == pytest.approx(10.0 + pos, abs=1e-9)


def test_probabilistic_queue_fills_at_least_as_often_as_conservative(binance):
    ev, tr, bk, _, _ = binance
    cons = quote_one(*ev, *tr, *bk, 0.001, 1000, 0, 0.0, np.zeros(8))
    prob = quote_one(*ev, *tr, *bk, 0.001, 1000, 0, 2.0, np.zeros(8))
    assert prob[4] >= cons[4]


def test_order_latency_changes_the_quoting_outcome(binance):
    ev, tr, bk, _, _ = binance
    runs = [quote_one(*ev, *tr, *bk, 0.001, 1000, lat, 0.0, np.zeros(8)) for lat in (0, 50, 200)]
    assert len({tuple(r[[3, 4, 7]]) for r in runs}) > 1


def test_bulk_replay_match_equals_sim_exchange_order_by_order(binance):
    """The bench's replay+matching kernel and the event-driven exchange fill the same passive orders equally."""
    from engine.bench.matching import ladder
    ev, tr, bk, trades, books = binance
    o_mkt, o_side, o_px, o_arr = ladder(ev, bk, every_ms=5000)
    state, rem = np.zeros(len(o_mkt), np.int64), np.full(len(o_mkt), 0.01)
    f = (np.zeros(10_000, np.int64), np.zeros(10_000), np.zeros(10_000), np.zeros(10_000, np.int64))
    nf = replay_match(*ev, *tr, *bk, o_mkt, o_side, o_px, rem, o_arr, state, 0.0, *f)
    assert nf > 50

    ex = sim_for_binance(QueueConservative(QueueConservative.Params(order_latency_ms=1)))
    ex.bind(balances={"BTC": 1e3, "ETH": 1e4})
    names = ["KRW-BTC", "KRW-ETH"]
    placed, k = [], 0
    for ts, _, _, e in build_events(trades, books):
        while k < len(o_mkt) and o_arr[k] - 1 < ts:
            placed.append(ex.create_order(names[o_mkt[k]], "bid" if o_side[k] > 0 else "ask", "limit", volume=0.01,
                                          price=float(o_px[k]), time_in_force="post_only", ts_ms=int(o_arr[k]) - 1))
            k += 1
        ex.on_event(e)
    executed = np.array([o.executed_volume for o in placed])
    assert len(placed) == len(o_mkt)
    assert np.allclose(executed, 0.01 - rem, atol=2e-8)
    assert [o.state == "done" for o in placed] == list(state == 2)
