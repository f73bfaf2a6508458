"""Walk-forward over several towers on real bundled candles: every tower fitted per fold (sequence towers
with per-market groups and bar close/volume), fusion fitted on calibration rows only, fused metrics,
per-tower AUC, per-fold drift and the deflated Sharpe ratio in JSON, table and report."""
import json
import math

import numpy as np
import pytest
from omegaconf import OmegaConf

import registry
from engine.app import compose, job_config
from engine.walkforward import WalkForwardParams, deflated_sharpe_across, run_walkforward

CAT = ["towers.catboost.iterations=40", "towers.catboost.depth=4", "markets=[KRW-SOL,KRW-XRP]", "entry=cost_aware"]
SSM = ["towers.ssm.epochs=1", "towers.ssm.max_windows_per_epoch=16", "towers.ssm.d_model=16", "towers.ssm.d_state=8"]
THREE = ["towers=[catboost,ssm,regime]", *CAT, *SSM]
WF = WalkForwardParams(folds=2, baseline_draws=50, engine_loop=False)
WF_ONE = WF.model_copy(update={"fit_threads": 1})


@pytest.fixture(scope="module")
def three(bundled_data):
    """One walk-forward with catboost + ssm + regime; records what the sequence tower was given."""
    registry.load_all()
    from components.tower._seq_tower import SequenceTower
    seen = {"fit": [], "predict": []}
    fit, predict = SequenceTower.fit, SequenceTower.predict

    def spy_fit(self, X, y, names, **kw):
        seen["fit"].append({"rows": len(X), **{k: kw.get(k) for k in ("groups", "close", "volume")}})
        return fit(self, X, y, names, **kw)

    def spy_predict(self, X, groups=None):
        seen["predict"].append({"rows": len(X), "groups": groups})
        return predict(self, X, groups)

    mp = pytest.MonkeyPatch()
    mp.setattr(SequenceTower, "fit", spy_fit)
    mp.setattr(SequenceTower, "predict", spy_predict)
    try:
        res = run_walkforward(job_config(compose(THREE)), WF_ONE)     # in this process: the spies see the calls
    finally:
        mp.undo()
    return res, seen


def test_every_tower_is_trained_and_scored_and_the_fused_p_is_evaluated(three):
    res, _ = three
    for row in res["folds"]:
        assert row["towers"] == ["catboost", "ssm", "regime"] and row["fusion"] == "weighted"
        assert sum(row["fusion_weights"].values()) == pytest.approx(1.0, abs=1e-3)
        aucs = [row[f"auc_{t}"] for t in row["towers"]]
        assert all(0 < a < 1 for a in aucs)
        assert 0.5 < row["auc"] < 1 and row["train_seconds_ssm"] > 0
        assert row["auc"] not in aucs                       # fused, not any single tower's output
    assert set(res["fold_towers"]) == {"catboost", "ssm", "regime"} and res["fold_towers"]["ssm"].aux_trained
    assert res["fold_towers"]["catboost"].calibrated
    regime = res["fold_towers"]["regime"]               # fitted weights, not the priors of its YAML
    assert len(regime.w) >= 3 and not np.allclose(regime.w, [regime.p.inputs[n.split(".")[0]] for n in
                                                              (regime.feature_names[c] for c in regime.cols)])


def test_sequence_tower_gets_market_groups_and_bar_prices_for_fit_and_predict(three):
    _, seen = three
    assert len(seen["fit"]) == 2 and len(seen["predict"]) == 2
    for call in seen["fit"]:
        g = np.asarray(call["groups"])
        assert len(g) == call["rows"] and set(np.unique(g)) == {0, 1}           # two markets kept apart
        assert np.all(np.asarray(call["close"]) > 0) and np.all(np.asarray(call["volume"]) >= 0)
    for call in seen["predict"]:
        assert call["groups"] is not None and len(call["groups"]) == call["rows"]


def test_each_fold_reports_drift_and_the_summary_a_deflated_sharpe(three):
    res, _ = three
    for row in res["folds"]:
        assert 0 < row["drift_ks_max"] <= 1 and 0 <= row["drift_features_share"] <= 1
        assert 0 <= row["calibration_ece"] < 0.5 and isinstance(row["drift_worst"], list)
    s = res["summary"]
    assert s["deflated_sharpe_trials"] == 1                   # no store here: this run is the only trial
    # engine_loop=False: only the labelled estimate ran, so there are no engine trades to pool into a DSR
    assert math.isnan(s["trades"]) and math.isnan(s["deflated_sharpe"]) and s["estimate_trades"] >= 0
    assert {"auc_catboost", "auc_ssm", "auc_regime"} <= set(s)


def test_table_and_report_show_per_tower_auc_drift_and_dsr(three, capsys):
    from engine.artifacts import walkforward_section
    from engine.commands.walkforward import print_table
    res, _ = three
    print_table(res, WF)
    out = capsys.readouterr().out
    assert "auc_ssm" in out and "ks_max" in out and "deflated Sharpe ratio" in out and "fusion weighted" in out
    assert "no evidence of skill" in out and "last 500 test outcomes" in out
    html = walkforward_section(res)
    assert "<th>auc_regime</th>" in html and "<th>drift_ks_max</th>" in html and "deflated Sharpe" in html


def test_learning_fusion_is_fitted_on_calibration_rows_only(monkeypatch):
    from components.fusion.stacked import StackedFusion
    seen = []
    fit = StackedFusion.fit

    def spy(self, S, y, ids):
        seen.append((np.asarray(S).shape, list(ids)))
        return fit(self, S, y, ids)

    monkeypatch.setattr(StackedFusion, "fit", spy)
    res = run_walkforward(job_config(compose(["towers=[catboost,regime]", "fusion=stacked", *CAT])), WF)
    assert [s[0] for s in seen] == [(r["cal_rows"], 2) for r in res["folds"]]           # never test rows
    assert all(s[1] == ["catboost", "regime"] for s in seen)
    assert all(r["fusion"] == "stacked" and math.isfinite(r["auc"]) for r in res["folds"])


def test_learned_fusion_gets_calibration_returns(monkeypatch):
    from components.fusion.learned import LearnedFusion
    seen = []
    fit = LearnedFusion.fit

    def spy(self, S, y, ids, *, returns=None, market_class="majors"):
        seen.append((len(S), len(returns), market_class))
        return fit(self, S, y, ids, returns=returns, market_class=market_class)

    monkeypatch.setattr(LearnedFusion, "fit", spy)
    res = run_walkforward(job_config(compose(["towers=[catboost,regime]", "fusion=learned", *CAT])), WF)
    assert seen == [(r["cal_rows"], r["cal_rows"], "majors") for r in res["folds"]]
    assert all(sum(r["fusion_weights"].values()) == pytest.approx(1.0, abs=1e-3) for r in res["folds"])


def test_baselines_and_tick_only_towers_are_left_out_and_said_so():
    from engine.ensemble import tower_nodes
    cfg = OmegaConf.create({"towers": {"catboost": {"component": "catboost"}, "hfp": {"component": "hfp"},
                                       "momentum_rule": {"component": "momentum_rule"}}})
    nodes, skipped = tower_nodes(cfg)
    assert list(nodes) == ["catboost"] and set(skipped) == {"hfp", "momentum_rule"} and "tick" in skipped["hfp"]
    nodes, skipped = tower_nodes(OmegaConf.create({"towers": {"momentum_rule": {"component": "momentum_rule"}}}))
    assert list(nodes) == ["catboost"]                                      # nothing trainable: the default


def test_deflated_sharpe_needs_trades_and_falls_with_more_trials_in_the_store():
    rng = np.random.default_rng(0)
    row = {"test_start": 0, "test_end": 48 * 3_600_000, "trades": 40}
    rows = [{**row, "hourly_returns": list(0.002 + 0.004 * rng.standard_normal(48))} for _ in range(2)]
    assert math.isnan(deflated_sharpe_across([{**r, "trades": 0} for r in rows])["deflated_sharpe"])
    alone = deflated_sharpe_across(rows)
    others = [{"config_hash": f"c{i}", "sharpe": s} for i, s in enumerate((0.1, 0.3, -0.2, 0.25, 0.0))]
    crowd = deflated_sharpe_across(rows, others, config="mine")
    assert alone["deflated_sharpe_trials"] == 1 and crowd["deflated_sharpe_trials"] == 6
    assert 0 < crowd["deflated_sharpe"] < alone["deflated_sharpe"] < 1
    again = deflated_sharpe_across(rows, others + [{"config_hash": "mine", "sharpe": 0.9}], config="mine")
    assert again["deflated_sharpe_trials"] == 6                   # a re-run of this config is not a new trial


def test_cli_json_with_catboost_ssm_regime(capsys, tmp_path):
    from engine.commands import walkforward
    code = walkforward.main(["--json", "--folds=2", "--baseline-draws=50", "--engine-loop=false", *THREE,
                             f"run.out_dir={tmp_path}", f"store.path={tmp_path / 's.db'}"])
    out = capsys.readouterr().out
    assert code == 0, out
    doc = json.loads(out.strip().splitlines()[-1])
    for row in doc["folds"]:
        assert {"auc", "auc_catboost", "auc_ssm", "auc_regime", "drift_ks_max", "calibration_ece",
                "baseline_p_value"} <= set(row)
    assert "deflated_sharpe" in doc["summary"] and "trials" in doc["notes"]["deflated_sharpe"]
    assert doc["boosting_type"] == "Plain"


def test_train_saves_every_tower_and_fits_the_fusion_on_calibration(tmp_path):
    from engine.commands.train import train_all
    towers, info = train_all(job_config(compose([*THREE, "fusion=stacked"])),
                             WalkForwardParams(stride_bars=3))
    assert set(info["towers"]) == {"catboost", "ssm", "regime"} and set(info["fusion_weights"]) == {"catboost", "ssm", "regime"}
    assert towers["catboost"].p.boosting_type == "Ordered"       # train keeps the configured boosting type
    towers["ssm"].save(tmp_path / "ssm")
    sig = json.loads((tmp_path / "ssm" / "signature.json").read_text())
    assert sig["component"] == "ssm" and sig["span_ms"][1] < towers["catboost"].signature["span_ms"][1]


def test_train_cli_writes_models_and_a_drift_reference(capsys, tmp_path):
    from engine.commands import train
    code = train.main(["--json", "towers=[catboost,regime]", "towers.catboost.iterations=30",
                       "towers.catboost.boosting_type=Plain", "markets=[KRW-SOL]", f"run.out_dir={tmp_path}",
                       f"store.path={tmp_path / 's.db'}"])
    out = capsys.readouterr().out
    assert code == 0, out
    doc = json.loads(out.strip().splitlines()[-1])
    assert set(doc["model_paths"]) == set(doc["towers"]) == {"catboost", "regime"}     # every fitted tower saved
    from engine.drift import DriftMonitor
    mon = DriftMonitor.from_reference(doc["drift_reference"], doc["signatures"]["catboost"]["feature_names"])
    assert len(mon.ref) == min(5000, doc["train_rows"])


def test_towers_fitted_side_by_side_give_the_same_folds_as_one_by_one(three):
    """walkforward.fit_threads only changes wall time: every fold's catboost, ssm and regime fitted at once on
    worker processes (fit_threads=2, engine/wf_fit.py) give the fold rows and the towers' outputs of a
    one-by-one fit in this process (the fixture); torch's thread count is restored."""
    import torch
    before = torch.get_num_threads()
    serial, _ = three
    assert WF.fit_threads == 2
    par = run_walkforward(job_config(compose(THREE)), WF)
    assert torch.get_num_threads() == before
    keys = ("auc", "auc_catboost", "auc_ssm", "auc_regime", "estimate_trades", "estimate_net_pnl_krw", "brier",
            "calibration_curve", "estimate_entry_ts_ms")
    assert len(serial["folds"]) == len(par["folds"]) == 2
    for a, b in zip(serial["folds"], par["folds"]):
        assert all(k in a for k in keys[:4])
        for k in keys:
            if k in a:
                assert a[k] == b[k], k
    x = np.zeros((3, len(serial["feature_names"])))
    for tid, tower in serial["fold_towers"].items():        # the last fold's towers answer alike
        assert np.array_equal(tower.predict(x), par["fold_towers"][tid].predict(x)), tid


def test_a_fit_failing_in_a_worker_raises_its_own_error_here(monkeypatch):
    """A tower that fails in a worker process is fitted again in this one, so the error keeps its type and text."""
    from components.tower.catboost import CatBoostTower

    def broken(self, *a, **kw):
        raise ValueError("towers.catboost: broken on purpose")

    monkeypatch.setattr(CatBoostTower, "fit", broken)         # inherited by the forked workers too
    with pytest.raises(ValueError, match="broken on purpose"):
        run_walkforward(job_config(compose(THREE)), WF)


def test_a_worker_that_dies_leaves_no_fold_unfitted(monkeypatch, three):
    """A worker process killed mid-fit (out of memory, kill -9) breaks its pool: the folds it owed are fitted in
    this process instead, with the same results as the one-by-one fit."""
    import os

    from components.tower.catboost import CatBoostTower
    parent, fit = os.getpid(), CatBoostTower.fit

    def dying(self, *a, **kw):
        if os.getpid() != parent:
            os._exit(9)                                      # the worker vanishes without a word
        return fit(self, *a, **kw)

    monkeypatch.setattr(CatBoostTower, "fit", dying)         # inherited by the forked workers
    serial, _ = three
    got = run_walkforward(job_config(compose(THREE)), WF)
    assert [f["auc_catboost"] for f in got["folds"]] == [f["auc_catboost"] for f in serial["folds"]]
    assert [f["auc_ssm"] for f in got["folds"]] == [f["auc_ssm"] for f in serial["folds"]]
