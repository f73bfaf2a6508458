"""leakcheck has power: a future-reading feature, a shifted dataset builder, a short warm-up and a tower with
label-free skill each fail by name; the honest default passes."""
import dataclasses
import json
import sys

import numpy as np
import pytest

import registry
from engine import walkforward
from engine.checks.leak_align import check_alignment, perturb_after
from engine.checks.leak_null import permuted, shift_band
from engine.checks.leak_warmup import check_warmup, truncate

PLUGIN = ["plugins=[tests/engine/leaky_plugin/next_return.py]", "hydra.searchpath=[file://tests/engine/leaky_plugin/conf]"]
SMALL = ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.depth=3", "markets=[KRW-SOL,KRW-XRP]"]
DAYS = 3            # a slice of the bundled week keeps each check to seconds


@pytest.fixture(autouse=True)
def _forget_plugin():
    yield
    registry.unregister("feature", "next_return")
    for name in [m for m in sys.modules if m.startswith("scalp_plugin_next_return")]:
        sys.modules.pop(name)


def _cfg(extra=()):
    from engine.app import compose, job_config
    from engine.validate import load_plugins
    registry.load_all()
    cfg = job_config(compose([*SMALL, *extra]))
    load_plugins(cfg)
    return cfg


def _streams(cfg):
    from components.types.stream import MarketStream
    out = {}
    for m, s in walkforward.load_streams(cfg).items():
        c = s.candles
        out[m] = MarketStream.build(m, candles=c.take(np.flatnonzero(c.ts_ms < c.ts_ms[0] + DAYS * 86_400_000)))
    return out


def _align(cfg, streams=None):
    _, label, _ = walkforward.label_of(cfg)
    return check_alignment(cfg, streams or _streams(cfg), walkforward.feature_nodes(cfg), label, stride_bars=3)


def test_honest_pipeline_passes_alignment():
    got = _align(_cfg())
    assert got["passed"], got["culprits"]
    assert got["numbers"]["rows_compared"] > 1000 and got["numbers"]["towers"] == ["catboost"]


def test_feature_reading_the_next_bar_fails_alignment_by_name(monkeypatch):
    monkeypatch.chdir(registry.__file__.rsplit("/registry/", 1)[0])
    got = _align(_cfg([*PLUGIN, "features=[core_bar,next_return]"]))
    assert not got["passed"]
    assert "feature next_return" in got["culprits"]
    assert not any(c.startswith("feature ") and c != "feature next_return" for c in got["culprits"])


def test_dataset_builder_shifted_by_one_row_fails_alignment(monkeypatch):
    real = walkforward.build_dataset

    def shifted(*a, **k):           # each row carries the features of its market's next row: X[idx + 1]
        ds = real(*a, **k)
        X = ds.X.copy()
        for mi in np.unique(ds.market):
            r = np.flatnonzero(ds.market == mi)
            X[r[:-1]] = ds.X[r[1:]]
        return dataclasses.replace(ds, X=X)

    monkeypatch.setattr(walkforward, "build_dataset", shifted)
    got = _align(_cfg())
    assert not got["passed"]
    assert any(c.startswith("dataset column") for c in got["culprits"])


def test_perturbation_touches_only_data_after_t(bundled_data):
    s = next(iter(_streams(_cfg()).values()))
    t = int(s.ts_ms[len(s) // 2])
    moved = perturb_after(s, t, seed=1)
    known = s.candles.ts_ms + s.candles.interval_s * 1000
    assert np.array_equal(moved.candles.close[known <= t], s.candles.close[known <= t])
    assert (moved.candles.close[known > t] != s.candles.close[known > t]).mean() > 0.9


def test_short_warmup_is_named_and_the_default_features_pass():
    cfg = _cfg()
    streams = _streams(cfg)
    assert check_warmup(streams, {"atr_pct": {"component": "atr_pct"}, "roc_5m": {"component": "roc_5m"}})["passed"]
    from components.feature.atr_pct import AtrPct

    class ShortAtr(AtrPct):            # the seed average has not decayed after n + 1 bars
        @property
        def warmup(self) -> int:
            return self.p.window_bars + 1

    registry.register("feature", "short_atr")(ShortAtr)
    try:
        got = check_warmup(streams, {"short_atr": {"component": "short_atr"}, "roc_5m": {"component": "roc_5m"}})
    finally:
        registry.unregister("feature", "short_atr")
    assert got["culprits"] == ["short_atr"]
    assert got["numbers"]["worst_dev_std"] > 0.01


def test_truncated_stream_is_a_suffix_of_the_full_one():
    s = next(iter(_streams(_cfg()).values()))
    sub = truncate(s, int(s.ts_ms[100]))
    assert len(sub) == len(s) - 100 and np.array_equal(sub.ts_ms, s.ts_ms[100:])


def test_null_shuffles_labels_only_inside_the_windows():
    cfg = _cfg()
    _, label, _ = walkforward.label_of(cfg)
    ds = walkforward.build_dataset(_streams(cfg), walkforward.feature_nodes(cfg), label, 3)
    tr, ca = np.arange(0, 400), np.arange(500, 700)
    null = permuted(ds, [tr, ca], seed=3)
    rest = np.setdiff1d(np.arange(len(ds.y)), np.concatenate([tr, ca]))
    assert np.array_equal(null.y[rest], ds.y[rest]) and np.array_equal(null.X, ds.X)
    assert sorted(null.y[tr]) == sorted(ds.y[tr]) and not np.array_equal(null.y[tr], ds.y[tr])
    assert null.close is None          # look-ahead context targets withheld under the null


def test_shift_band_centres_on_half_and_excludes_a_copy_of_the_label():
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.3).astype(int)
    lo, hi = shift_band(y, rng.random(3000))
    assert lo < 0.5 < hi and hi - lo < 0.1
    lo, hi = shift_band(y, y + rng.random(3000) * 0.1)
    assert hi < 0.9                      # the label itself ranks far outside the no-relation band


def test_tower_with_label_free_skill_fails_the_null(monkeypatch):
    """A 'tower' that ignores its labels and ranks by volatility keeps skill on the barrier label."""
    from engine.checks import leak_null
    cfg = _cfg()
    _, label, _ = walkforward.label_of(cfg)
    ds = walkforward.build_dataset(_streams(cfg), walkforward.feature_nodes(cfg), label, 3)
    wf = walkforward.WalkForwardParams(folds=2, engine_loop=False)
    folds = walkforward.make_folds(ds, wf)
    j = ds.names.index("atr_pct")

    class VolTower:
        trainable = True
        feature_names = ["x"]

        def fit(self, *a, **k):
            return self

        def predict(self, X):
            return np.nan_to_num(X[:, [j]])

    monkeypatch.setattr(walkforward, "build_towers", lambda *a, **k: {"vol": VolTower()})
    got = leak_null.check_null(cfg, ds, folds, wf)
    assert not got["passed"] and got["culprits"] == ["tower vol"]


@pytest.mark.slow
def test_cli_passes_the_honest_config_and_names_a_leaking_plugin(capsys, tmp_path, monkeypatch):
    from engine.commands import leakcheck
    monkeypatch.chdir(registry.__file__.rsplit("/registry/", 1)[0])
    base = ["--baseline-draws=20", *SMALL, "ui.lang=en", f"run.out_dir={tmp_path}"]
    assert leakcheck.main(base) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    for name in ("a. alignment", "b. shuffled-label null", "c. volatility reference", "d. label-as-column probe",
                 "e. warm-up dependence"):
        assert name in out
    code = leakcheck.main(["--json", *base, *PLUGIN, "features=[core_bar,next_return]"])
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 1 and not doc["passed"]
    align = next(c for c in doc["checks"] if c["check"] == "alignment")
    assert not align["passed"] and "feature next_return" in align["culprits"]
    assert "alignment" in doc["verdict"] and "next_return" in doc["verdict"]
