"""One evaluation path: `scalp walkforward` prices each fold with the engine replay `scalp backtest` runs, and
the vectorised estimate beside it prices trading costs within 2 bps per trade of the engine."""
import math

import numpy as np
import pytest

import registry
from engine import evaluation as ev

# Enough entries to compare (a low threshold, fixed size), two folds, a quick CatBoost.
ARGS = ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.depth=3",
        "towers.catboost.boosting_type=Plain", "markets=[KRW-SOL,KRW-XRP,KRW-BTC,KRW-ETH]",
        "entry=prob_threshold", "entry.min_prob=0.05", "sizing=fixed_krw", "walkforward.folds=2",
        "walkforward.baseline_draws=20"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from engine.app import compose, job_config
    from engine.settings import settings_of
    from engine.walkforward import run_walkforward
    from engine.wf_backtest import run_walkforward_backtest
    registry.load_all()
    out = tmp_path_factory.mktemp("wf")
    cfg = job_config(compose([*ARGS, f"run.out_dir={out}", f"store.path={out / 's.db'}"]))
    wf = run_walkforward(cfg, settings_of(cfg).walkforward)
    bt = run_walkforward_backtest(cfg, use_store=True)
    return cfg, wf, bt


def test_walkforward_folds_equal_the_backtest_windows(runs):
    _, wf, bt = runs
    stored = bt.data.meta["walkforward"]["folds"]
    assert wf["evaluation"] == "engine" and len(wf["folds"]) == len(stored) == 2
    assert sum(r["trades"] for r in wf["folds"]) > 5                  # the comparison is about real trades
    for a, b in zip(wf["folds"], stored):
        for key in ("trades", "net_pnl_krw", "gross_pnl_krw", "fees_krw", "spread_slippage_krw"):
            assert a[key] == pytest.approx(b[key], abs=1e-6), key
        assert a["entry_ts_ms"] == b["entry_ts_ms"]
    # the windows add up to the backtest's closed trades (every engine trade entered in some test window)
    assert sum(r["trades"] for r in stored) == bt.summary["trades"]
    assert sum(r["net_pnl_krw"] for r in stored) == pytest.approx(sum(t["net_krw"] for t in bt.data.trades))


def test_the_backtest_stores_the_same_per_window_figures(runs):
    cfg, wf, bt = runs
    with registry.build("store", {"component": "sqlite", "path": str(cfg.store.path)}) as store:
        art = store.load_artifact(f"run-{bt.run_id}")
    folds = art["signature"]["meta"]["walkforward"]["folds"]
    assert [(f["trades"], f["net_pnl_krw"]) for f in folds] == \
        [(pytest.approx(f["trades"]), pytest.approx(f["net_pnl_krw"])) for f in wf["folds"]]


def test_engine_costs_are_decomposed_per_trade(runs):
    _, _, bt = runs
    for tr in bt.data.trades:
        parts = tr["spread_krw"] + tr["slippage_krw"] + tr["tick_krw"]
        assert parts == pytest.approx(tr["spread_slippage_krw"])
        assert tr["spread_krw"] > 0 and tr["slippage_krw"] > 0        # bar feed: spread and slippage are charged
        # gross = sell - buy; net = gross - fees: the ledger's identity holds with the decomposition beside it
        assert tr["net_krw"] == pytest.approx(tr["gross_krw"] - tr["fees_krw"], abs=1e-6)
    s = bt.summary
    assert s["cost_fees_bps"] == pytest.approx(10.0, abs=0.2)         # 5 bps per side on Upbit KRW markets
    assert s["spread_slippage_krw"] == pytest.approx(sum(t["spread_slippage_krw"] for t in bt.data.trades))


def test_the_estimate_prices_the_engines_entries_within_2_bps(runs):
    """Same entries: the cost model's round-trip cost at the decision row vs what the simulator charged."""
    from engine.costs import build_cost_model
    from engine.walkforward import build_dataset, feature_nodes, label_of, load_streams
    cfg, _, bt = runs
    costs = build_cost_model(cfg)
    ds = build_dataset(load_streams(cfg), feature_nodes(cfg), label_of(cfg)[1], 1,
                       spread_window_bars=costs.spread_window_bars)
    _, rt_cost = ev.row_costs(costs, ds.markets, ds.market, ds.close, ds.bar_spread)
    diffs = []
    for tr in bt.data.trades:
        mi = ds.markets.index(tr["market"])
        rows = np.flatnonzero((ds.market == mi) & (ds.ts_ms <= tr["entry_ts_ms"]))
        est_bps = 1e4 * rt_cost[rows[-1]]
        engine_bps = 1e4 * (tr["fees_krw"] + tr["spread_slippage_krw"]) / tr["buy_krw"]
        diffs.append(est_bps - engine_bps)
    assert len(diffs) > 5 and all(math.isfinite(d) for d in diffs)
    assert abs(float(np.mean(diffs))) <= 2.0, np.round(diffs, 2)


def test_the_entry_map_learns_from_round_trips_under_the_configured_exits(monkeypatch):
    """cost_aware's expected-return map is fitted on the calibration window's simulated round trips (the
    bot's exits, the run's costs), never on the label's barrier trade, and no trip reaches into the test."""
    from components.entry.cost_aware import CostAware
    from engine.app import compose, job_config
    from engine.costs import build_cost_model
    from engine.exit_sim import exit_chain, simulate
    from engine.settings import settings_of
    from engine.walkforward import load_streams
    from engine.wf_backtest import fit_folds
    registry.load_all()
    cfg = job_config(compose([a for a in ARGS if not a.startswith("entry")] + ["entry=cost_aware"]))
    seen = []
    real = CostAware.fit

    def spy(self, p_val, ret_val, cost_frac=None):
        seen.append(np.asarray(ret_val).copy())
        return real(self, p_val, ret_val, cost_frac)
    monkeypatch.setattr(CostAware, "fit", spy)
    ds, fitted = fit_folds(cfg, load_streams(cfg), settings_of(cfg).walkforward)
    costs = build_cost_model(cfg)
    fold = fitted[0][0]
    rt = simulate(fold.cal, ds.market, ds.bar, ds.markets, ds.bars, exit_chain(cfg, costs), costs,
                  str(cfg.market_class), costs.latency_ms)
    keep = np.isfinite(rt.gross) & (rt.exit_ms < fold.bounds_ms["test_start"])
    # majors exits include ev_trail, which acts on the map's expectation: each fold fits twice (the second
    # time on trips whose trail used the first map), so 2 folds -> 4 fits; the first is on the plain trips
    assert len(seen) == 4 and np.array_equal(seen[0], rt.gross[keep])
    assert not np.allclose(seen[0], ds.exit_ret[fold.cal][keep])          # not the barrier outcome
    assert set(rt.reason[i] for i in np.flatnonzero(keep)) <= {"hard_stop", "time_stop", "profit_target",
                                                               "ev_trail", "fee_floor", "mark"}
