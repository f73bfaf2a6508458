"""cost_aware entry: never enters without a positive expected net return; threshold rises with regime."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import registry
from components.types.entry import EntryContext
from components.types.costs import CostModel

probs = st.floats(0, 1)
spreads = st.floats(0, 0.02)
regimes = st.floats(0, 10)


def _e(**kw):
    registry.load_all()
    return registry.build("entry", {"component": "cost_aware", **kw}, path="entry")


@settings(max_examples=300, deadline=None)
@given(p=probs, spread=spreads, vr=regimes, edge=st.floats(0, 1), slip_bps=st.floats(0, 100),
       fee=st.floats(0, 0.003))
def test_never_enters_when_expected_net_return_is_not_positive(p, spread, vr, edge, slip_bps, fee):
    e = _e(min_edge_pct=edge)
    e.bind_costs(CostModel(fee_rate=fee, slippage_frac=slip_bps * 1e-4))
    v = e.decide(p, EntryContext(spread_frac=spread, vol_regime=vr))
    # no market or price given: both fees, and per side half the spread + slippage (nothing to round to a tick)
    net = e.expected_gross(p) - 2 * fee - 2 * (spread / 2 + slip_bps * 1e-4)
    assert v.expected_net == pytest.approx(net, abs=1e-12)
    if net <= 0:
        assert not v.enter
    assert v.enter == bool(e.decide_many(np.array([p]), spread, vr)[0])


@settings(max_examples=100, deadline=None)
@given(p=st.lists(probs, min_size=5, max_size=50), r=st.lists(st.floats(-0.05, 0.05), min_size=5, max_size=50),
       q=probs, spread=spreads)
def test_fitted_map_is_monotone_and_still_never_enters_at_a_loss(p, r, q, spread):
    n = min(len(p), len(r))
    e = _e(min_fit_rows=2, min_edge_pct=0).fit(np.array(p[:n]), np.array(r[:n]))
    grid = np.linspace(0, 1, 21)
    assert np.all(np.diff(e.expected_gross(grid)) >= -1e-15)
    v = e.decide(q, EntryContext(spread_frac=spread))
    assert not v.enter or v.expected_net > 0


def test_threshold_rises_with_volatility_and_spread():
    e = _e(min_edge_pct=0.05)
    assert e.threshold(0.0, 1.0) < e.threshold(0.0, 2.0) < e.threshold(0.001, 2.0)
    assert e.threshold(0.0, 0.5) == e.threshold(0.0, 1.0)        # calm markets do not lower the bar


def test_prior_map_is_the_barrier_bet():
    e = _e()
    assert e.expected_gross(0.5) == pytest.approx(0.0)
    assert not e.decide(0.55).enter            # 0.04 % gross < 0.12 % costs
    assert e.decide(0.9).enter


def test_fit_learns_from_real_validation_outcomes(bundled_data):
    from engine.walkforward import build_dataset, feature_nodes
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    ds = build_dataset(feed.load(["KRW-XRP"]), feature_nodes(None), registry.build("label", {"component": "barrier_hit"}))
    p = np.clip(ds.X[:, ds.names.index("atr_pct")] * 100, 0, 1)     # a crude score that tracks volatility
    e = _e().fit(p, ds.exit_ret)
    assert e.map_x is not None and np.all(np.diff(e.map_y) >= 0)


def test_fitted_map_round_trips_through_map_path(tmp_path):
    e = _e(min_fit_rows=2).fit(np.array([0.1, 0.2, 0.5, 0.9]), np.array([-0.004, -0.001, 0.002, 0.004]))
    e.save_map(tmp_path / "m.json")
    back = _e(map_path=str(tmp_path / "m.json"))
    grid = np.linspace(0, 1, 11)
    np.testing.assert_array_equal(back.expected_gross(grid), e.expected_gross(grid))


def test_confidence_for_sizing_is_the_calibrated_chance_of_a_net_win(tmp_path):
    """A barrier probability of 0.1 can be a strong entry: sizing sees P(net > 0), learned on validation."""
    import numpy as np
    import registry
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.3, 4000)
    win = rng.uniform(0, 1, 4000) < 2.5 * p                      # higher p -> more winners
    ret = np.where(win, 0.004, -0.004)
    entry = registry.build("entry", {"component": "cost_aware"}, path="entry").fit(p, ret)
    lo, hi = entry.confidence(0.02), entry.confidence(0.28)
    assert 0.0 <= lo < hi <= 1.0
    assert abs(hi - 0.7) < 0.1                                   # 2.5 x 0.28 = 0.7 of such trades win
    v = entry.decide(0.28)
    assert v.confidence == hi
    entry.save_map(tmp_path / "m.json")
    again = registry.build("entry", {"component": "cost_aware", "map_path": str(tmp_path / "m.json")}, path="entry")
    assert again.confidence(0.28) == hi


def test_unfitted_confidence_is_the_probability():
    import registry
    entry = registry.build("entry", {"component": "cost_aware"}, path="entry")
    assert entry.confidence(0.42) == 0.42


def test_the_map_promises_less_where_its_outcomes_are_few_and_noisy():
    """lcb_z: each block of the isotonic map keeps its mean minus lcb_z standard errors."""
    import numpy as np
    from components.entry.cost_aware import CostAware
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(0.0, 0.5, 2000), rng.uniform(0.9, 1.0, 12)])
    r = np.concatenate([rng.normal(0.0, 0.002, 2000), rng.normal(0.004, 0.004, 12)])
    plain = CostAware(CostAware.Params(lcb_z=0, prior_bins=0)).fit(p, r)       # no shrinkage: lcb_z alone
    careful = CostAware(CostAware.Params(lcb_z=1.0, prior_bins=0)).fit(p, r)
    top_plain, top_careful = plain.expected_gross(0.95), careful.expected_gross(0.95)
    assert top_careful < top_plain - 0.0005                     # 12 noisy outcomes: about one se lower
    assert abs(careful.expected_gross(0.25) - plain.expected_gross(0.25)) < 0.0005   # thousands: barely moved
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(careful.expected_gross(grid)) >= -1e-12)  # still monotone


def _exit_like_sample(rng, n, edge):
    """Outcomes shaped like the configured exits' round trips: mostly small time-stop moves, sometimes the
    +0.7 % target or the -0.8 % stop; p carries a small real edge (`edge` more targets per unit of p)."""
    p = rng.beta(2, 12, n)
    u = rng.uniform(size=n)
    r = np.where(u < 0.04 + edge * (p - 0.14), 0.007, np.where(u > 0.96, -0.008, rng.normal(0.0, 0.0015, n)))
    return p, r


@pytest.mark.parametrize("edge", [0.0, 0.3])
def test_where_the_map_is_highest_its_promise_holds_out_of_sample(edge):
    """Winner's curse: the entry takes the rows where the map is highest, and there the plain isotonic map holds
    the few luckiest outcomes. Each block shrunk toward the pooled mean by its size (empirical Bayes), the
    promise at the map's top matches fresh outcomes of the same process."""
    from components.entry.cost_aware import CostAware
    rng = np.random.default_rng(3)
    gaps_plain, gaps_shrunk = [], []
    for _ in range(12):
        p, r = _exit_like_sample(rng, 1000, edge)                 # calibration window
        q, s = _exit_like_sample(rng, 20000, edge)                # the next window: fresh outcomes
        for params, gaps in ((dict(prior_bins=0, lcb_z=0), gaps_plain), (dict(lcb_z=0), gaps_shrunk)):
            e = CostAware(CostAware.Params(**params)).fit(p, r)
            pred = e.expected_gross(q)
            top = pred >= pred.max() - 1e-12                      # what an entry at the map's top would take
            gaps.append(1e4 * (pred[top].mean() - s[top].mean()))
    assert np.mean(gaps_plain) > 5.0                              # the plain map over-promises at its top
    assert abs(np.mean(gaps_shrunk)) < 2.5, np.round(gaps_shrunk, 1)


def test_a_strong_well_sampled_signal_is_not_shrunk_away():
    from components.entry.cost_aware import CostAware
    rng = np.random.default_rng(4)
    p = rng.uniform(0, 1, 5000)
    r = np.where(p > 0.5, 0.004, -0.004) + rng.normal(0, 0.001, 5000)
    e = CostAware(CostAware.Params(lcb_z=0)).fit(p, r)
    assert e.expected_gross(0.9) == pytest.approx(0.004, abs=2e-4)
    assert e.expected_gross(0.1) == pytest.approx(-0.004, abs=2e-4)


def test_pure_noise_maps_to_the_pooled_mean():
    from components.entry.cost_aware import CostAware
    rng = np.random.default_rng(5)
    p, r = rng.uniform(0, 1, 3000), rng.normal(0.0005, 0.004, 3000)
    e = CostAware(CostAware.Params(lcb_z=0)).fit(p, r)
    grid = e.expected_gross(np.linspace(0, 1, 51))
    assert np.ptp(grid) < 0.0005 and abs(grid.mean() - r.mean()) < 0.0003
    plain = CostAware(CostAware.Params(lcb_z=0, prior_bins=0)).fit(p, r)
    assert np.ptp(plain.expected_gross(np.linspace(0, 1, 51))) > 2 * np.ptp(grid)
