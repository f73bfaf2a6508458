"""Learned fusion on real returns: Sharpe objective vs a plain loop, refit moves towards the informative tower,
shrinkage, logging of before/after weights, absent towers renormalised."""
import json
import logging
import math

import numpy as np
import pytest

from components.types.feed.loaders import load_candles
from components.fusion.learned import LearnedFusion, decision_sharpe, simplex_grid


@pytest.fixture(scope="module")
def real(bundled_data):
    """Forward 10-minute returns of KRW-BTC, an informative score (knows the sign of that return: an
    oracle, on purpose) and an uninformative one (KRW-XRP's return sign a day later)."""
    d = bundled_data / "upbit" / "candles_1m"
    btc, xrp = (load_candles(d / f"KRW-{m}.csv.gz", m) for m in ("BTC", "XRP"))
    n = 3000
    r = btc.close[10:n + 10] / btc.close[:n] - 1
    oracle = np.where(r > 0, 0.8, 0.3)
    xr = xrp.close[1450:1450 + n] / xrp.close[1440:1440 + n] - 1
    noise = np.where(xr > 0, 0.8, 0.3)
    return np.c_[oracle, noise], r


def test_simplex_grid_covers_the_simplex():
    g = simplex_grid(3, 0.1)
    assert len(g) == math.comb(10 + 2, 2) and np.allclose(g.sum(1), 1) and g.min() >= 0


def test_decision_sharpe_matches_a_plain_loop(real):
    S, r = real
    W = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    sharpe, entries = decision_sharpe(S, W, r, 0.6, 0.001)
    for g, w in enumerate(W):
        pnl = [(ri - 0.001) if (s @ w) >= 0.6 else 0.0 for s, ri in zip(S, r)]
        assert entries[g] == sum((s @ w) >= 0.6 for s in S)
        assert sharpe[g] == pytest.approx(np.mean(pnl) / np.std(pnl))


def test_refit_moves_weight_to_the_informative_tower_shrunk_and_logged(real, caplog):
    S, r = real
    f = LearnedFusion(LearnedFusion.Params(roles={"cat": "catboost", "seq": "sequence"}, shrink=0.5, min_obs=100))
    before, _ = f.weights_for(["cat", "seq"], "majors")
    assert before == pytest.approx({"cat": 0.5 / 0.75, "seq": 0.25 / 0.75})
    with caplog.at_level(logging.INFO, logger="scalp.fusion.learned"):
        after = f.fit(S[:, [1, 0]], None, ["cat", "seq"], returns=r, market_class="majors")   # seq = oracle
    assert after["seq"] > before["seq"]
    line = json.loads(caplog.records[-1].getMessage())
    assert line["event"] == "fusion_refit" and line["before"]["seq"] == pytest.approx(before["seq"], abs=1e-4)
    assert line["after"]["seq"] == pytest.approx(after["seq"], abs=1e-4)
    assert line["sharpe_after"] > line["sharpe_before"]
    # shrink: halfway between the unshrunk optimum and the preset
    best = line["best_unshrunk"]["seq"]
    assert after["seq"] == pytest.approx(0.5 * best + 0.5 * before["seq"], abs=1e-3)
    assert f.combine({"cat": 0.2, "seq": 0.9}, "majors") == pytest.approx(0.2 * after["cat"] + 0.9 * after["seq"])


def test_full_shrink_keeps_the_preset_weights(real):
    S, r = real
    f = LearnedFusion(LearnedFusion.Params(roles={"cat": "catboost", "seq": "sequence"}, shrink=1.0, min_obs=100))
    after = f.fit(S, None, ["cat", "seq"], returns=r, market_class="alts")
    assert after == pytest.approx({"cat": 0.60 / 0.65, "seq": 0.05 / 0.65})


def test_online_records_refit_every_n_outcomes_on_the_rolling_window(real):
    S, r = real
    f = LearnedFusion(LearnedFusion.Params(roles={"a": "catboost", "b": "sequence"}, window_obs=500,
                                           refit_every_obs=250, min_obs=250))
    for i in range(1000):
        f.record({"a": S[i, 1], "b": S[i, 0]}, r[i], "majors")
    assert [x["n_obs"] for x in f.refits] == [250, 500, 500, 500]
    assert f.weights["majors"]["b"] > 0.25 / 0.75


def test_absent_and_not_ready_towers_are_renormalised_away():
    f = LearnedFusion(LearnedFusion.Params())
    w, absent = f.weights_for(["catboost", "regime"], "majors")
    assert w == pytest.approx({"catboost": 0.5 / 0.65, "regime": 0.15 / 0.65}) and absent == ["hfp", "sequence"]
    assert f.combine({"catboost": 0.7, "ssm": float("nan")}, "majors") == pytest.approx(0.7)


def test_min_obs_above_window_is_refused_with_both_values():
    with pytest.raises(ValueError, match=r"min_obs \(300\) must be <= window_obs \(200\)"):
        LearnedFusion.Params(min_obs=300, window_obs=200)


def test_fit_without_returns_says_what_is_missing(real):
    with pytest.raises(ValueError, match="needs `returns`"):
        LearnedFusion(LearnedFusion.Params()).fit(real[0], None, ["catboost", "ssm"])
