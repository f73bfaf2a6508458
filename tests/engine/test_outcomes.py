"""Outcome tracker: forward returns after the label horizon feed learned fusion and calibration metrics."""
import math

import numpy as np

import registry
from components.types.feed.loaders import load_candles
from components.types.metrics import Metrics
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.outcomes import OutcomeTracker

DAY = ["feed.start=2025-09-24T00:00:00Z", "feed.end=2025-09-24T12:00:00Z", "markets=[KRW-BTC]"]


class _Rec:
    def __init__(self):
        self.rows = []

    def record(self, scores, r, market_class):
        self.rows.append((scores, r, market_class))


def test_forward_return_after_horizon_on_real_closes(bundled_data):
    c = load_candles(bundled_data / "upbit" / "candles_1m" / "KRW-ETH.csv.gz", "KRW-ETH")
    close, ts = c.close[:600], c.ts_ms[:600] + 60_000
    fus = _Rec()
    tr = OutcomeTracker(horizon_ms=300_000, fusion=fus)
    for i in range(600):
        tr.on_price("KRW-ETH", int(ts[i]), float(close[i]))
        tr.on_decision("KRW-ETH", int(ts[i]), 0.5, {"a": 0.5}, float(close[i]))
    assert len(fus.rows) > 500
    # the i-th outcome is the return from decision i to the first close >= 5 min later
    for k in (0, 100, 400):
        j = int(np.searchsorted(ts, ts[k] + 300_000))
        assert math.isclose(fus.rows[k][1], close[j] / close[k] - 1.0, rel_tol=1e-12)
    m = Metrics()
    tr.publish(m)
    assert m.get("calibration_samples") == len(tr.pairs)
    up = np.mean([y for _, y in tr.pairs])
    assert math.isclose(m.get("calibration_ece"), abs(0.5 - up), rel_tol=1e-9)


def test_calibration_published_only_for_calibrated_towers():
    registry.load_all()
    rule = run_backtest(job_config(compose(DAY + ["towers=[momentum_rule]"])), use_store=False, write_report=False)
    assert math.isnan(rule.loop.metrics.get("calibration_ece"))
    assert "fused P(up)" in rule.data.sections["calibration"]          # the report curve is always drawn
    model = run_backtest(job_config(compose(DAY + ["towers=[regime]"])), use_store=False, write_report=False)
    assert model.loop.metrics.get("calibration_samples") > 100
    assert 0.0 <= model.loop.metrics.get("calibration_ece") <= 1.0


def test_barrier_outcome_matches_the_barrier_label_not_the_price_direction():
    from engine.outcomes import OutcomeTracker
    tr = OutcomeTracker(horizon_ms=480_000, barrier=(0.004, 0.004))
    # decision at 100: price touches 100.5 (up barrier, +0.5 %) then falls back below the start
    tr.on_decision("KRW-BTC", 0, 0.9, {}, 100.0)
    tr.on_decision("KRW-BTC", 60_000, 0.9, {}, 100.5)
    tr.on_decision("KRW-BTC", 120_000, 0.9, {}, 99.9)
    # decision at 99.9: the stop (-0.4 %) comes first, then the price recovers above the start
    tr.on_decision("KRW-BTC", 180_000, 0.9, {}, 99.4)
    tr.on_decision("KRW-BTC", 240_000, 0.9, {}, 100.3)
    tr.on_price("KRW-BTC", 480_000, 99.9)          # first decision's horizon ends below its start price
    tr.on_price("KRW-BTC", 600_000, 100.3)
    ys = list(tr.all_y)
    assert ys[0] == 1.0        # up barrier first, although the price ended lower
    assert ys[1] == 0.0        # 100.5 -> nothing hit (+-0.4 % of 100.5 never reached) -> time barrier -> 0
    assert ys[2] == 0.0        # 99.9 -> stop at 99.4 first, although the price ended higher


def test_without_a_barrier_label_the_outcome_is_price_up():
    from engine.outcomes import OutcomeTracker
    tr = OutcomeTracker(horizon_ms=60_000)
    tr.on_decision("KRW-BTC", 0, 0.5, {}, 100.0)
    tr.on_price("KRW-BTC", 60_000, 100.1)
    assert list(tr.all_y) == [1.0]


def test_running_calibration_bins_equal_the_ece_of_the_window_after_many_evictions():
    """publish() reads running per-bin sums; they must equal a from-scratch ECE of the current window."""
    from engine.drift import expected_calibration_error
    rng = np.random.default_rng(3)
    tr = OutcomeTracker(horizon_ms=1, window=300, bins=10)
    m = Metrics()
    for i in range(2_000):                                   # > 6 windows: evictions and periodic re-sums
        p = float(rng.beta(2, 2)) if i % 7 else float(rng.choice([0.0, 1.0, 0.1, 0.999]))   # bin edges too
        tr.on_decision("KRW-BTC", i, p, {}, 100.0)
        tr.on_price("KRW-BTC", i + 1, 100.0 + float(rng.normal()))
        if i % 97 == 0 or i > 1_990:
            tr.publish(m)
            p_arr, y_arr = np.array(tr.pairs).T
            assert m.get("calibration_samples") == len(tr.pairs) == min(i + 1, 300)
            assert math.isclose(m.get("calibration_ece"), expected_calibration_error(p_arr, y_arr, 10), abs_tol=1e-12)
