"""A sequence tower is served on the cadence it was trained on: trained on every 2nd bar (the walk-forward's
stride_bars=2), the engine's per-bar step advances its state every 2nd bar and reproduces, at those bars,
exactly what the tower computes on its training rows; the cadence survives save/load."""
import numpy as np
import pytest

import registry
from engine.ensemble import fit_tower
from engine.walkforward import build_dataset, feature_nodes

FAST = {"component": "ssm", "d_model": 8, "d_state": 4, "n_layers": 1, "epochs": 1, "window_steps": 60,
        "burn_in_steps": 10, "max_windows_per_epoch": 16}


@pytest.fixture(scope="module")
def data(bundled_data):
    registry.load_all()
    feed = registry.build("feed", {"component": "replay", "path": str(bundled_data), "kinds": ["candle"]})
    streams = feed.load(["KRW-SOL"])
    label = registry.build("label", {"component": "barrier_hit"})
    every, second = (build_dataset(streams, feature_nodes(None), label, stride_bars=k) for k in (1, 2))
    return every, second


def test_training_rows_and_served_bars_are_built_the_same_way(data):
    every, second = data
    tower = registry.build("tower", FAST)
    n = len(second.y)
    fit_tower(tower, second, np.arange(n // 2), np.arange(n // 2, 3 * n // 4))
    assert tower.step_bars == 2
    # the training rows are the served bars 0, 2, 4, ... of the same market (same times, same features)
    assert np.array_equal(every.ts_ms[::2][:n], second.ts_ms[:len(every.ts_ms[::2][:n])])
    assert np.allclose(every.X[::2][:n], second.X[:n], equal_nan=True)
    served = np.array([tower.step(x, {"market": "KRW-SOL"})[0] for x in every.X[:2 * 300]])
    trained = tower.predict_recurrent(second.X[:300])[:, 0]
    assert np.allclose(served[::2], trained, atol=1e-6)              # advanced exactly on the training rows
    assert np.array_equal(served[1::2], served[::2])                 # held between them


def test_the_cadence_is_saved_with_the_model(data, tmp_path):
    _, second = data
    tower = registry.build("tower", FAST)
    fit_tower(tower, second, np.arange(400), np.arange(400, 500))
    tower.save(tmp_path / "ssm")
    again = registry.build("tower", {**FAST, "model_path": str(tmp_path / "ssm")})
    again.bind(second.names)
    assert again.step_bars == 2
    x = second.X[10]
    assert np.allclose(again.step(x, {"market": "m"}), tower.step(x, {"market": "m"}))
