"""The walk-forward's engine replay runs each fold's fitted towers (regime included), restored from the
fold's saved models, never fresh ones with prior weights."""
from types import SimpleNamespace

import numpy as np
from omegaconf import OmegaConf

import registry
from engine.walkforward import WalkForwardParams, run_walkforward


def test_engine_replay_restores_the_fold_regime(monkeypatch, bundled_data):
    import engine.backtest as backtest
    from engine.app import compose, job_config
    registry.load_all()
    cfg = job_config(compose(["towers=[catboost,regime]", "towers.catboost.iterations=30", "towers.catboost.depth=3",
                              "markets=[KRW-SOL,KRW-XRP]", f"feed.path={bundled_data}"]))
    replayed = []

    def fake_backtest(cfg, streams=None, **kw):
        node = OmegaConf.to_container(cfg.towers, resolve=True)["regime"]
        tower = registry.build("tower", node, path="towers.regime")
        replayed.append((node.get("model_path"), tower.w.copy(), tower.b))
        return SimpleNamespace(summary={"trades": 0})
    monkeypatch.setattr(backtest, "run_backtest", fake_backtest)
    res = run_walkforward(cfg, WalkForwardParams(folds=2, baseline_draws=20))
    assert len(replayed) == 2 and all(path for path, _, _ in replayed)
    fitted = res["fold_towers"]["regime"]                     # the last fold's tower
    _, w, b = replayed[-1]
    assert np.array_equal(w, fitted.w) and b == fitted.b
    prior = registry.build("tower", {"component": "regime"})
    assert b != prior.b                                       # learned intercept, not the prior's 0
