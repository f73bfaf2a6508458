"""Scoring formulas (FORMULAS.md) against independent implementations; cost arithmetic; baseline test."""
import math

import numpy as np
import pytest

from engine import evaluation as ev


@pytest.fixture(scope="module")
def yp():
    rng = np.random.default_rng(3)
    p = rng.uniform(size=4000)
    y = (rng.uniform(size=4000) < p ** 1.5).astype(float)
    return y, p


def test_auc_brier_logloss_match_sklearn(yp):
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
    y, p = yp
    assert ev.auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert ev.brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert ev.log_loss(y, p) == pytest.approx(log_loss(y, p), abs=1e-9)
    assert math.isnan(ev.auc(np.zeros(5), np.linspace(0, 1, 5)))


def test_ece_is_the_ten_bin_weighted_gap(yp):
    y, p = yp
    b = np.minimum((p * 10).astype(int), 9)
    ref = sum((b == k).mean() * abs(y[b == k].mean() - p[b == k].mean()) for k in range(10) if (b == k).any())
    assert ev.ece(y, p) == pytest.approx(ref, abs=1e-12)
    assert ev.ece(y, p) > 0.05                     # p**1.5 truth: visibly miscalibrated
    assert ev.ece(y, y * 0 + y.mean()) < 1e-12     # constant base rate: perfectly calibrated


def test_round_trip_costs_follow_the_upbit_fee_formula():
    """The evaluator prices rows with the cost model (was a separate `Costs` with its own constants)."""
    from components.types.costs import CostModel
    fine = {"KRW-BTC": 1e-9}                     # a grid too fine to round: only fees, spread, slippage remain
    flat = CostModel(fee_rate=0.0005, spread_floor_frac=0.0, slippage_frac=0.0, tick_sizes=fine)
    mk, px = np.zeros(2, int), np.full(2, 150_000_000.0)
    spread, cost = ev.row_costs(flat, ["KRW-BTC"], mk, px)
    net = ev.net_returns(flat, np.array([0.004, 0.0]), ["KRW-BTC"], mk, px, spread)
    # buy 100,000 KRW locks 100,050; selling 100,400 gross leaves 100,349.8: net 299.8 KRW
    assert net[0] * 100_050 == pytest.approx(100_400 * 0.9995 - 100_050, rel=1e-9)
    assert net[1] < -0.00099 and cost == pytest.approx([0.001, 0.001])
    wide = CostModel(fee_rate=0.0005, spread_floor_frac=0.001, slippage_frac=0.0005, tick_sizes=fine)
    s2, _ = ev.row_costs(wide, ["KRW-BTC"], mk, px)
    assert ev.net_returns(wide, np.array([0.004, 0.0]), ["KRW-BTC"], mk, px, s2)[0] < net[0] - 0.0019


def test_rows_of_a_cheap_coin_pay_a_tick_per_side_and_the_bar_spread():
    from components.types.costs import CostModel
    c = CostModel()
    mk = np.array([0, 1])
    spread, cost = ev.row_costs(c, ["KRW-BTC", "KRW-XYZ"], mk, np.array([150_000_000.0, 180.0]),
                                bar_spread=np.array([0.003, np.nan]))
    assert spread[0] == pytest.approx(0.003)                          # the estimate above the floor
    assert spread[1] == pytest.approx(1 / 180)                        # not warm: floor, but never under a tick
    assert cost[1] >= 2 * c.fee_rate + 2 / 180                        # 1 KRW on 180 KRW: ~55 bps each side
    assert cost[0] < cost[1]


def test_select_trades_keeps_one_position_per_market():
    ts = np.array([0, 10, 20, 30, 40])
    end = np.array([25, 15, 35, 45, 50])
    mk = np.array([0, 1, 0, 0, 1])
    taken = ev.select_trades(np.ones(5, bool), mk, ts, end)
    assert taken.tolist() == [0, 1, 3, 4]           # row 2 (market 0) opens while row 0 is still held


def test_random_baseline_p_value_is_small_only_for_real_skill():
    rng = np.random.default_rng(0)
    net = rng.normal(0, 0.002, 5000)
    market = rng.integers(0, 3, 5000)
    best = np.argsort(net)[-50:]
    assert ev.random_entry_baseline(net, market, best, 500)["baseline_p_value"] < 0.01
    worst = np.argsort(net)[:50]
    assert ev.random_entry_baseline(net, market, worst, 500)["baseline_p_value"] > 0.99


def test_trade_stats_drawdown_and_sharpe_signs():
    s = ev.trade_stats(np.array([0.01, -0.02, 0.005]), np.array([1, 2, 3]) * 3_600_000, 100_000, 1_000_000,
                       (0, 5 * 3_600_000))
    assert s["trades"] == 3 and s["net_pnl"] == pytest.approx(-500)
    assert s["max_drawdown"] == pytest.approx(2000 / 1_001_000)
    assert s["sharpe"] < 0


def test_deflated_sharpe_falls_with_more_trials():
    one = ev.deflated_sharpe(0.1, 500, 1)
    many = ev.deflated_sharpe(0.1, 500, 100)
    assert 0 <= many < one <= 1
