"""Every tower that learns (trainable, or fitted by the walk-forward) round-trips through save + model_path
with identical predictions; rule baselines are skipped by name, with their reason."""
from pathlib import Path

import numpy as np
import pytest
import yaml

import registry
from components.types.signature import params_hash
from engine import ensemble
from engine.walkforward import build_dataset, feature_nodes

CONF = Path(__file__).resolve().parents[3] / "conf" / "towers"
registry.load_all()
TOWERS = registry.names("tower")
# Small settings so each fit takes seconds; a tower missing here is fitted with its defaults.
SMALL = {"catboost": {"iterations": 30, "depth": 3, "boosting_type": "Plain", "thread_count": 1},
         "hfp": {"max_iter": 20, "min_samples_leaf": 5},
         "lstm": {"window_steps": 64, "burn_in_steps": 16, "epochs": 1, "max_windows_per_epoch": 4,
                  "batch_windows": 4, "hidden": 8, "n_layers": 1, "device": "cpu"},
         "ssm": {"window_steps": 64, "burn_in_steps": 16, "epochs": 1, "max_windows_per_epoch": 4,
                 "batch_windows": 4, "device": "cpu"}}


def learns(cls) -> bool:
    """What the engine fits: towers that cannot step before a fit, and every non-baseline the walk-forward
    trains (regime steps on prior weights, but its fit replaces them)."""
    return bool(cls.trainable or not cls.baseline)


@pytest.fixture(scope="module")
def data(bundled_data):
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    label_node = {"component": "barrier_hit"}
    ds = build_dataset(feed.load(["KRW-BTC"]), feature_nodes(None), registry.build("label", label_node),
                       stride_bars=3)
    n = len(ds.y)
    train, cal, test = np.arange(0, n * 3 // 5), np.arange(n * 3 // 5, n * 4 // 5), np.arange(n * 4 // 5, n)
    return ds, train, cal, test, f"barrier_hit:{params_hash(label_node)}"


def test_every_trainable_tower_is_covered_and_regime_too():
    covered = {n for n in TOWERS if learns(registry.get("tower", n))}
    trainable = {n for n in TOWERS if registry.get("tower", n).trainable}
    assert trainable and trainable <= covered
    assert "regime" in covered
    for name in covered:
        cls = registry.get("tower", name)
        assert hasattr(cls, "save") and hasattr(cls, "load") and "model_path" in cls.Params.model_fields, name
        node = yaml.safe_load((CONF / f"{name}.yaml").read_text())[name]      # so towers.X.model_path=... composes
        assert "model_path" in node, name


@pytest.mark.parametrize("name", TOWERS)
def test_round_trip_through_model_path_predicts_identically(name, data, tmp_path):
    cls = registry.get("tower", name)
    if not learns(cls):
        pytest.skip(f"{name}: rule baseline, nothing learned to save")
    ds, train, cal, test, label_id = data
    node = {"component": name, **SMALL.get(name, {})}
    tower = registry.build("tower", node, path=f"towers.{name}")
    ensemble.fit_tower(tower, ds, train, cal, label_id)
    before = ensemble.predict_tower(tower, ds, {"test": test})["test"]
    tower.save(tmp_path / name)

    restored = registry.build("tower", {**node, "model_path": str(tmp_path / name)}, path=f"towers.{name}")
    restored.bind_providers(getattr(ds, "providers", {}) or {})
    restored.bind(ds.names)                 # what the engine does before stepping
    after = ensemble.predict_tower(restored, ds, {"test": test})["test"]
    assert np.array_equal(before, after), f"{name}: predictions differ after save/load"
    assert restored.signature["feature_names"] == list(ds.names)

    for tw in (tower, restored):            # online steps from a cold state agree too
        if hasattr(tw, "reset"):
            tw.reset()
    rows = test[:20]
    ctx = {"market": ds.markets[0]}
    steps = [[float(tw.step(ds.X[r], context=ctx)[0]) for r in rows] for tw in (tower, restored)]
    assert steps[0] == steps[1]


def test_saved_regime_weights_are_the_fitted_ones_not_the_prior(data, tmp_path):
    ds, train, cal, test, label_id = data
    fitted = registry.build("tower", {"component": "regime"}, path="towers.regime")
    ensemble.fit_tower(fitted, ds, train, cal, label_id)
    fitted.save(tmp_path / "regime")
    prior = registry.build("tower", {"component": "regime"}, path="towers.regime")
    prior.bind_providers(getattr(ds, "providers", {}) or {})
    prior.bind(ds.names)
    restored = registry.build("tower", {"component": "regime", "model_path": str(tmp_path / "regime")})
    p_prior, p_restored = prior.predict(ds.X[test])[:, 0], restored.predict(ds.X[test])[:, 0]
    assert not np.allclose(p_prior, p_restored)
    assert np.array_equal(p_restored, fitted.predict(ds.X[test])[:, 0])


def test_restored_regime_refuses_other_columns(data, tmp_path):
    from components.types.signature import SignatureMismatch
    ds, train, cal, _, label_id = data
    tower = registry.build("tower", {"component": "regime"}, path="towers.regime")
    ensemble.fit_tower(tower, ds, train, cal, label_id)
    tower.save(tmp_path / "regime")
    restored = registry.build("tower", {"component": "regime", "model_path": str(tmp_path / "regime")})
    with pytest.raises(SignatureMismatch, match="feature_names"):
        restored.bind(list(reversed(ds.names)))
    with pytest.raises(SignatureMismatch, match="params_hash"):
        registry.build("tower", {"component": "regime", "C": 5.0, "model_path": str(tmp_path / "regime")})
