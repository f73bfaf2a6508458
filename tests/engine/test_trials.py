"""Trials counted honestly: the store's trials set the deflated Sharpe's N; few trades show n/a, not a Sharpe."""
import json
import math

import numpy as np
import pytest

from engine import trials


def test_guard_blanks_sharpe_p_and_dsr_below_the_minimum_and_says_why():
    s = trials.guard({"sharpe": 7.69, "baseline_p_value": 0.013, "deflated_sharpe": 0.99, "trades": 3}, 3, 30)
    assert all(math.isnan(s[k]) for k in ("sharpe", "baseline_p_value", "deflated_sharpe"))
    assert s["na_reason"]["sharpe"] == "n < 30 trades (3)"
    assert trials.shown(s, "sharpe", str) == "n/a (n < 30 trades; 3)"
    kept = trials.guard({"sharpe": 1.5, "trades": 30}, 30, 30)
    assert kept["sharpe"] == 1.5 and "na_reason" not in kept and trials.shown(kept, "sharpe", str) == "1.5"


def test_moments_see_fat_tails_and_skew():
    rng = np.random.default_rng(1)
    r = rng.standard_normal(5000) * 0.01
    r[::500] += 0.2                                   # rare large wins
    m = trials.moments(r)
    assert m["kurtosis"] > 10 and m["skew"] > 1 and m["n_obs"] == 5000
    assert math.isnan(trials.moments(np.zeros(10))["sharpe"])


def test_fat_tails_lower_the_deflated_sharpe():
    rng = np.random.default_rng(2)
    base = 0.001 + 0.01 * rng.standard_normal(400)
    fat = base.copy()
    fat[::50] *= 12
    fat += base.mean() - fat.mean()
    fat *= base.std() / fat.std()                     # same mean and Sharpe, heavier tails
    thin, heavy = trials.deflate(list(base), [], "a", 100), trials.deflate(list(fat), [], "a", 100)
    assert heavy["returns_kurtosis"] > thin["returns_kurtosis"] + 5
    assert heavy["deflated_sharpe"] < thin["deflated_sharpe"]


def test_store_trials_on_an_overlapping_span_set_n(tmp_path):
    import registry
    registry.load_all()
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")})
    rng = np.random.default_rng(3)
    day = 86_400_000
    ret = list(0.001 + 0.005 * rng.standard_normal(48))
    first = trials.record_and_deflate(store, "walkforward", {"a": 1}, ret, (0, 2 * day), 40)
    again = trials.record_and_deflate(store, "walkforward", {"a": 1}, ret, (0, 2 * day), 40)
    other = trials.record_and_deflate(store, "backtest", {"a": 2}, ret, (day, 3 * day), 40)
    apart = trials.record_and_deflate(store, "walkforward", {"a": 3}, ret, (10 * day, 12 * day), 40)
    assert (first["deflated_sharpe_trials"], again["deflated_sharpe_trials"]) == (1, 1)     # same config: 1 trial
    assert other["deflated_sharpe_trials"] == 2 and apart["deflated_sharpe_trials"] == 1    # spans decide
    assert len(store.trials_overlapping(0, 3 * day)) == 3
    store.close()


def test_hourly_returns_bin_pnl_by_exit_hour():
    got = trials.hourly_returns(np.array([100.0, -50.0, 25.0]), np.array([10, 3_600_000 + 5, 3_600_000 + 9]),
                                (0, 3 * 3_600_000), 1000.0)
    assert got == pytest.approx([0.1, -0.025, 0.0])
    r, span = trials.equity_hourly_returns(np.array([0, 1_800_000, 3_600_000, 7_200_000]),
                                           np.array([100.0, 110.0, 99.0, 99.0]))
    assert r == pytest.approx([0.1, -0.1, 0.0]) and span == (0, 7_200_000)


def test_walkforward_json_has_skill_columns_and_the_store_counts_trials(capsys, tmp_path):
    from engine.commands import walkforward
    base = ["--json", "--folds=2", "--baseline-draws=20", "towers=[catboost]", "sizing=fixed_krw",
            "entry=prob_threshold", "entry.min_prob=0.05",
            "towers.catboost.iterations=30", "towers.catboost.depth=3", "markets=[KRW-SOL,KRW-XRP]",
            f"run.out_dir={tmp_path}", f"store.path={tmp_path / 's.db'}"]
    docs = []
    # a low prob_threshold: the cost-aware entry takes no trade on this small slice once every cost is priced
    for extra in (["--min-trades=1000"], ["--min-trades=1", "towers.catboost.depth=4"]):
        assert walkforward.main([*base, *extra]) == 0
        docs.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    for row in docs[0]["folds"]:
        assert {"auc_up", "auc_stop", "auc_direction", "auc_volatility_ref", "trades"} <= set(row)
        assert 0.5 < row["auc_volatility_ref"] <= 1 and row["auc_up"] == pytest.approx(row["auc"])
        assert row["sharpe"] is None and "n < 1000 trades" in row["na_reason"]["sharpe"]
    s0, s1 = docs[0]["summary"], docs[1]["summary"]
    assert s0["deflated_sharpe"] is None and "deflated_sharpe" in s0["na_reason"]
    assert (s0["deflated_sharpe_trials"], s1["deflated_sharpe_trials"]) == (1, 2)    # a second config on the span
    assert "na_reason" not in s1 or "sharpe" not in s1["na_reason"]
