"""Walk-forward on real bundled candles: folds ordered, embargoed, purged; CLI JSON keys; leak check."""
import json

import numpy as np
import pytest

import registry
from engine.walkforward import WalkForwardParams, build_dataset, feature_nodes, make_folds, run_walkforward

FAST = ["towers=[catboost]", "towers.catboost.iterations=40", "towers.catboost.depth=4",
        "towers.catboost.boosting_type=Plain", "markets=[KRW-SOL,KRW-XRP]", "entry=cost_aware"]


@pytest.fixture(scope="module")
def ds(bundled_data):
    registry.load_all()
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    label = registry.build("label", {"component": "barrier_hit"})
    return build_dataset(feed.load(["KRW-BTC", "KRW-SOL"]), feature_nodes(None), label, stride_bars=3)


@pytest.mark.parametrize("wf", [WalkForwardParams(), WalkForwardParams(folds=3, embargo_ms=1_800_000),
                                WalkForwardParams(folds=2, train_days=1.5, test_days=1.0, cal_days=0.5)])
def test_windows_are_ordered_disjoint_embargoed_and_purged(ds, wf):
    folds = make_folds(ds, wf)
    assert len(folds) == wf.folds
    emb = max(ds.horizon_ms, wf.embargo_ms or 0)
    for f in folds:
        tr, ca, te = ds.ts_ms[f.train], ds.ts_ms[f.cal], ds.ts_ms[f.test]
        assert len(tr) and len(ca) and len(te)
        assert tr.max() + emb <= ca.min() and ca.max() + emb <= te.min()      # embargo on timestamps
        assert ds.end_ms[f.train].max() < ca.min()                            # purged: labels end before cal
        assert ds.end_ms[f.cal].max() < te.min()
        assert not set(f.train) & set(f.cal) and not set(f.cal) & set(f.test)
    for a, b in zip(folds, folds[1:]):                                        # test windows never overlap
        assert ds.ts_ms[a.test].max() < ds.ts_ms[b.test].min()


def test_too_many_folds_is_a_clear_error(ds):
    with pytest.raises(ValueError, match="do not fit"):
        make_folds(ds, WalkForwardParams(folds=30, test_days=1))


def test_run_reports_every_metric_and_calibrates_on_the_cal_fold(ds):
    from engine.app import compose, job_config
    cfg = job_config(compose(FAST))
    res = run_walkforward(cfg, WalkForwardParams(folds=2, baseline_draws=50))     # with the engine loop
    assert len(res["folds"]) == 2
    for row in res["folds"]:
        for key in ("auc", "brier", "ece", "log_loss", "trades", "net_pnl", "sharpe", "max_drawdown",
                    "baseline_net_pnl", "baseline_p_value", "train_seconds"):
            assert key in row
        assert 0.5 < row["auc"] <= 1 and 0 <= row["ece"] < 0.2 and row["calibrated"]
        assert row["cal_start"] >= row["train_end"] + row["embargo_ms"]
        assert row["trades"] >= 0 and {"net_pnl_krw", "fees_krw", "spread_slippage_krw", "estimate_trades"} <= set(row)
    tower = res["tower"]                 # the last fold's tower: calibrated on exactly its cal window
    last = res["folds"][-1]
    assert tower.calibration_ts_ms.min() >= last["cal_start"] and tower.calibration_ts_ms.max() < last["cal_end"]


def test_cli_json_prints_folds_with_required_keys(capsys, tmp_path):
    from engine.commands import walkforward
    code = walkforward.main(["--json", "--folds=2", "--baseline-draws=50", "--engine-loop=false", *FAST, f"run.out_dir={tmp_path}",
                             f"store.path={tmp_path / 's.db'}"])
    out = capsys.readouterr().out
    assert code == 0, out
    doc = json.loads(out.strip().splitlines()[-1])
    assert len(doc["folds"]) == 2
    for row in doc["folds"]:
        assert {"auc", "brier", "ece", "estimate_net_pnl", "baseline_p_value"} <= set(row)
        assert "net_pnl" not in row           # no engine replay asked for: no engine PnL, only the labelled estimate
    assert (tmp_path / "walkforward").is_dir()


def test_unknown_flag_names_the_options(capsys):
    from engine.commands import walkforward
    assert walkforward.main(["--fold=3"]) == 2
    assert "--folds" in capsys.readouterr().err


def test_leakcheck_passes_the_honest_run_with_a_table_of_five_checks(capsys, tmp_path):
    from engine.commands import leakcheck
    code = leakcheck.main(["--folds=2", "--baseline-draws=20", *FAST, "ui.lang=en", f"run.out_dir={tmp_path}"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("PASS") >= 4 and "INFO" in out and "FAIL" not in out


def test_leakcheck_probe_fails_a_blind_harness():
    from engine.checks.leak import probe
    s = lambda auc: {"summary": {"auc": auc}}
    assert probe(s(0.70), s(0.99))["passed"]
    assert not probe(s(0.70), s(0.72))["passed"]             # the pasted label was not seen
    assert not probe(s(0.80), s(0.90))["passed"]             # seen, but not by enough
