"""The hfp tower end to end on tick data: `scalp train` fits it on the bundled 2021 trades + books (one row a
second of the configured features), validation accepts it for mode=paper on the WebSocket feed (and still
refuses it without a model or without books), and a short paper session against the local exchange server
decides with it."""
import numpy as np
import pytest

import registry

TICK = ["markets=[KRW-DAWN,KRW-STX,KRW-ADA]", "features=[spread_pct,bid_ask_imbalance]", "towers=[hfp]"]


@pytest.fixture
def make_cfg(server, tmp_path):
    """A paper config on the local server's WebSocket feed with the tick bot (the shared BASE is random_entry's)."""
    from engine.app import compose, job_config

    def make(mode, *extra):
        registry.load_all()
        return job_config(compose([f"mode={mode}", "feed=upbit_ws", f"feed.url={server.ws_url}",
                                   f"feed.rest_url={server.base_url}", f"store.path={tmp_path / 'scalp.db'}",
                                   "entry=prob_threshold", "fill_model=queue_conservative", "ui.lang=en", *extra]))
    return make


@pytest.fixture(scope="module")
def trained(bundled_data, tmp_path_factory):
    from engine.app import compose, job_config
    from engine.commands.train import train_all
    from engine.commands.walkforward import params_from
    from engine.drift import save_reference
    registry.load_all()
    cfg = job_config(compose([*TICK, f"feed.path={bundled_data}/upbit/ticks_2021"]))
    towers, info = train_all(cfg, params_from(cfg))
    assert list(towers) == ["hfp"] and info["towers"]["hfp"]["markets"] == ["KRW-ADA", "KRW-DAWN", "KRW-STX"]
    assert info["train_rows"] > 50 and info["cal_rows"] > 0
    out = tmp_path_factory.mktemp("hfp") / "model"
    path = towers["hfp"].save(out / "hfp")
    save_reference(out / "drift_reference.npz", *info["drift_reference"], ref_stride=info["drift_stride"])
    return path, towers["hfp"], info


def test_train_fits_hfp_on_the_tick_rows(trained):
    path, tower, info = trained
    sig = tower.signature
    assert sig["component"] == "hfp" and sig["feature_names"] == ["spread_pct", "bid_ask_imbalance"]
    assert sig["span_ms"][0] >= 1617_000_000_000                    # the 2021 captures, not the candles
    p = tower.predict(np.array([[0.05, 0.2]] * 12))
    assert p.shape == (12, 1) and np.all((p >= 0) & (p <= 1))


def test_validate_paper_accepts_the_trained_model_on_the_ws_feed(make_cfg, trained):
    from engine.validate import validate_config
    path = trained[0]
    assert validate_config(make_cfg("paper", *TICK, f"towers.hfp.model_path={path}")) == []
    untrained = [p for p, _ in validate_config(make_cfg("paper", *TICK))]
    assert untrained == ["towers.hfp"]
    no_books = [p for p, _ in validate_config(make_cfg("paper", *TICK, f"towers.hfp.model_path={path}",
                                                       "feed.types=[trade]"))]
    assert "towers.hfp" in no_books


def test_paper_session_decides_with_hfp(make_cfg, trained, tmp_path):
    from engine.live.runner import run_session
    path = trained[0]
    cfg = make_cfg("paper", *TICK, f"towers.hfp.model_path={path}")
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "p.db")}, path="store")
    res = run_session(cfg, "paper", store=store, duration_s=5)
    assert res.status == "done" and not res.error
    decisions = store.records("decisions", res.run_id)
    assert decisions and all(r["scores"].keys() == {"hfp"} for r in decisions)
    p = np.array([r["scores"]["hfp"] for r in decisions], float)
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
    assert len(set(np.round(p, 9))) > 1                              # the model reads the live rows
    store.close()
