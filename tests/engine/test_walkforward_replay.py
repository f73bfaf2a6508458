"""The walk-forward's engine replay trades each fold's fitted towers (regime included) from its test start,
never fresh ones with prior weights."""
import numpy as np

import registry
from engine.walkforward import WalkForwardParams, run_walkforward


def test_engine_replay_installs_the_fold_regime(monkeypatch, bundled_data):
    from engine.app import compose, job_config
    from engine.loop import EngineLoop
    registry.load_all()
    cfg = job_config(compose(["towers=[catboost,regime]", "towers.catboost.iterations=30", "towers.catboost.depth=3",
                              "markets=[KRW-SOL,KRW-XRP]", f"feed.path={bundled_data}"]))
    installed = []
    real = EngineLoop.install_models

    def spy(self, towers, *a, **kw):
        if towers:
            installed.append(towers["regime"])
        return real(self, towers, *a, **kw)
    monkeypatch.setattr(EngineLoop, "install_models", spy)
    res = run_walkforward(cfg, WalkForwardParams(folds=2, baseline_draws=20))
    assert len(installed) == 2 and installed[0] is not installed[1]          # one fitted model per fold
    fitted = res["fold_towers"]["regime"]                     # the last fold's tower
    assert installed[-1] is fitted
    prior = registry.build("tower", {"component": "regime"})
    assert fitted.b != prior.b and not np.array_equal(fitted.w, prior.w)      # learned, not the prior
