"""A bot trading saved models compares its live feature rows with the rows those models learnt from:
`scalp train` saves the reference beside the models and the loop loads it, so feature_drift can trip."""

import numpy as np
import pytest

import registry
from components.types import metric_names as MN

FAST = ["towers=[catboost]", "towers.catboost.iterations=20", "towers.catboost.depth=3", "markets=[KRW-SOL]"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, bundled_data):
    from engine.commands import train
    out = tmp_path_factory.mktemp("train")
    registry.load_all()
    assert train.main(["--json", *FAST, f"run.out_dir={out}", f"store.path={out / 's.db'}"]) == 0
    model = next(out.rglob("model/catboost"))
    return model


def _loop(model, *extra):
    from engine.app import compose, job_config
    from engine.loop import EngineLoop
    cfg = job_config(compose([*FAST, f"towers.catboost.model_path={model}", *extra]))
    return EngineLoop(cfg, markets=["KRW-SOL"])


def test_the_loop_loads_the_reference_saved_beside_the_models(trained):
    loop = _loop(trained)
    assert loop.drift is not None and loop.drift.names == loop.feature_names
    ref = np.load(trained.parent / "drift_reference.npz", allow_pickle=False)
    assert len(loop.drift.ref) == min(5000, len(ref["X"]))
    assert loop.drift.ks_limits is not None               # limits calibrated on held-out training windows
    n = loop.drift.rows.maxlen                            # calibrated limits hold for a full live window
    for x in np.resize(np.asarray(ref["X"]), (n, ref["X"].shape[1])) + 100.0:   # rows far outside the training
        loop.drift.add_row(x)
    got = loop.drift.publish(loop.metrics)
    assert got[MN.DRIFT_FEATURES_SHARE] > 0.5               # the feature_drift switch's input


def test_no_reference_no_monitor(trained, tmp_path):
    import shutil
    copy = tmp_path / "model" / "catboost"
    shutil.copytree(trained, copy)
    assert _loop(copy).drift is None
