"""The default backtest walks forward: models fitted on the past only, trading starts at the first test window."""
import registry
from engine.app import compose, job_config
from engine.wf_backtest import needs_training, run_walkforward_backtest, untrained_towers

BASE = ["markets=[KRW-BTC,KRW-XRP]", "feed.start=2025-09-22T00:00:00Z", "walkforward.folds=2", "ui.lang=en"]
FAST = BASE + ["towers=[catboost,regime]", "towers.catboost.iterations=60"]


def _cfg(*extra, base=FAST):
    registry.load_all()
    return job_config(compose(base + list(extra)))


def test_trainable_towers_without_a_model_make_the_backtest_walk_forward():
    assert untrained_towers(_cfg()) == ["catboost"]
    assert needs_training(_cfg())
    assert not needs_training(_cfg("towers=[momentum_rule]", base=BASE))
    assert not needs_training(_cfg("towers=[regime]", base=BASE))          # regime trades on its priors untrained


def test_plain_backtest_refuses_an_untrained_model_by_name():
    from engine.backtest import run_backtest
    import pytest
    with pytest.raises(registry.ConfigError, match=r"towers\.catboost  tower is not trained"):
        run_backtest(_cfg(), use_store=False, write_report=False)


def test_no_decision_before_the_first_test_window_and_models_never_see_their_window(tmp_path):
    res = run_walkforward_backtest(_cfg(f"store.path={tmp_path}/wf.db", f"run.out_dir={tmp_path}"))
    meta = res.data.meta
    folds = meta["walkforward"]["folds"]
    assert len(folds) == 2
    start = meta["trading_from_ms"]
    assert start == folds[0]["test_start"]
    for f in folds:          # train -> embargo -> calibration -> embargo -> test, all strictly ordered
        assert f["train_end"] + f["embargo_ms"] <= f["cal_start"] < f["cal_end"]
        assert f["cal_end"] + f["embargo_ms"] <= f["test_start"] < f["test_end"]
    rows = res.loop.store.records("decisions", res.run_id)
    fills = res.data.fills
    assert all(fl["ts_ms"] >= start for fl in fills)
    assert res.loop.events > 0 and res.report.exists()
    html = res.report.read_text()
    assert 'id="walkforward"' in html and "fold" in html
    assert rows and min(r["ts_ms"] for r in rows) >= start    # features warmed on the past, no decision there


def test_drift_against_the_fold_training_window_is_published(tmp_path):
    from components.types import metric_names as MN
    res = run_walkforward_backtest(_cfg(f"store.path={tmp_path}/wf.db", f"run.out_dir={tmp_path}"), use_store=False)
    share = res.loop.metrics.get(MN.DRIFT_FEATURES_SHARE)
    ks = res.loop.metrics.get(MN.DRIFT_KS_MAX)
    assert 0.0 <= share <= 1.0 and 0.0 < ks <= 1.0
    assert res.loop.drift.last_report is not None


def test_untrained_tick_tower_is_refused_not_replaced(tmp_path):
    import pytest
    cfg = _cfg("towers=[hfp]", "feed.path=examples/data/upbit/ticks_2021", "markets=[KRW-DAWN]",
               "features=[spread_pct,bid_ask_imbalance]", base=["ui.lang=en"])
    with pytest.raises(registry.ConfigError, match=r"towers\.hfp  the walk-forward does not fit this tower"):
        run_walkforward_backtest(cfg, use_store=False)
