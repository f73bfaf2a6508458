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
    c = ev.Costs(fee_rate=0.0005, spread_frac=0.0, slippage_frac=0.0)
    # buy 100,000 KRW locks 100,050; selling 100,400 gross leaves 100,349.8: net 299.8 KRW
    assert c.net_return(np.array([0.004]))[0] * 100_050 == pytest.approx(100_400 * 0.9995 - 100_050, rel=1e-12)
    assert c.net_return(np.array([0.0]))[0] < -0.00099
    wider = ev.Costs(0.0005, 0.001, 0.0005).net_return(np.array([0.004]))[0]
    assert wider < c.net_return(np.array([0.004]))[0] - 0.0019


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
