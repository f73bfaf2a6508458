"""A running paper session picks up a model promoted in the registry at a safe point (no open order of its
own), against the local exchange server: towers swapped, one JSON INFO line, an artifact stored."""
import json
import logging
import shutil
import time

import numpy as np

import registry
from engine.app import compose, job_config

# the session's towers: a small CatBoost on the two book features the capture serves
SESSION = ["markets=[KRW-DAWN,KRW-STX,KRW-ADA]", "features=[spread_pct,bid_ask_imbalance]", "towers=[catboost]",
           "towers.catboost.iterations=20", "towers.catboost.boosting_type=Plain", "entry=prob_threshold",
           "entry.min_prob=0.99", "sizing=fixed_krw", "sizing.amount_krw=20000", "fill_model=queue_conservative",
           "live.flush_interval_s=0.3", "retrain.swap_check_s=0.3", "ui.lang=en"]


def _cfg(server, tmp_path, *extra):
    registry.load_all()
    return job_config(compose(["mode=paper", "feed=upbit_ws", f"feed.url={server.ws_url}",
                               f"feed.rest_url={server.base_url}", f"store.path={tmp_path / 'scalp.db'}",
                               *SESSION, *extra]))


def _model(cfg, folder, seed):
    """A CatBoost tower of the config's parameters fitted on `seed`'s rows of the session's two features,
    saved as a registry model folder (the test proves the swap path, not model quality)."""
    from components.types.signature import params_hash
    from engine.conf import plain
    from engine.features import FeatureSet
    names = FeatureSet.from_config(cfg.features).names
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, len(names)))
    y = (X[:, 0] + rng.normal(scale=0.5, size=400) > 0).astype(int)
    node = {k: v for k, v in plain(cfg.towers.catboost).items() if k != "model_path"}
    tower = registry.build("tower", node, path="towers.catboost")
    lnode = next(iter(plain(cfg.labels).values()))
    tower.fit(X, y, names, span_ms=(0, 1), label=f"{lnode['component']}:{params_hash(lnode)}")
    tower.save(folder / "catboost")
    return str(folder / "catboost")


def test_paper_session_picks_up_a_promoted_model(server, tmp_path, keys, caplog, session_hook):
    from engine.live.runner import run_session
    from engine.models.bundle import config_signature
    from engine.models.registry import ModelRegistry
    keys("swap")
    base = _cfg(server, tmp_path)
    first = _model(base, tmp_path / "m1", seed=1)
    second = tmp_path / "m2"
    shutil.copytree(tmp_path / "m1", second)            # same signature, another folder: which one runs is visible
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "scalp.db")}, path="store")
    reg = ModelRegistry(store)
    sig = config_signature(base)
    kw = dict(artifact="model/test", signature=sig, market_class="majors", metrics={})
    m1 = reg.add(path=str(tmp_path / "m1"), towers={"catboost": first}, **kw)
    reg.promote(m1)                                       # deployed before the session: not a swap
    m2 = reg.add(path=str(second), towers={"catboost": str(second / "catboost")}, **kw)
    cfg = _cfg(server, tmp_path, f"towers.catboost.model_path={first}")
    promoted = {}

    def promote_then_stop(ctx, now_s):
        """Promote m2 once the session has looked at the registry (only later promotions count), stop once
        it runs m2: however slow the machine, the promotion falls inside the session."""
        st = getattr(ctx.loop, "_model_swap", None)
        if st is None or time.time() * 1000 <= st.since_ms + 1:
            return
        if "at_s" not in promoted:
            reg.promote(m2)
            promoted["at_s"] = now_s
        elif st.current.get("majors") == m2:
            ctx.stop.set()
    session_hook(on_tick=promote_then_stop)
    with caplog.at_level(logging.INFO, logger="scalp.live"):
        res = run_session(cfg, "paper", store=store, duration_s=60)      # the hook stops it once swapped
    assert res.status == "done" and not res.error
    assert "at_s" in promoted, "the session never looked at the model registry"
    loop = res.loop
    assert loop._model_swap.current == {"majors": m2}
    assert loop.towers["catboost"].p.model_path == str(second / "catboost")
    swapped = [json.loads(r.getMessage()) for r in caplog.records
               if r.name == "scalp.live" and r.levelno == logging.INFO and '"model_swapped"' in r.getMessage()]
    assert len(swapped) == 1 and swapped[0]["model_id"] == m2 and swapped[0]["previous_model_id"] is None
    art = store.load_artifact(f"model-swap/{res.run_id}/{m2}")
    assert art is not None and art["run_id"] == res.run_id and art["signature"]["market_class"] == "majors"
    assert not [r for r in caplog.records if '"model_swap_failed"' in r.getMessage()]

    # a rollback deploys m1 again: the loop takes it only at a safe point (no open order of its own)
    from engine.models.swap import maybe_swap_model
    reg.rollback("majors", sig)
    loop.om.open["scalp-test-open"] = object()            # one order of ours still working
    loop._model_swap.next_s = 0.0
    assert maybe_swap_model(loop, store, res.run_id) is False
    assert loop.towers["catboost"].p.model_path == str(second / "catboost")
    del loop.om.open["scalp-test-open"]
    loop._model_swap.next_s = 0.0
    assert maybe_swap_model(loop, store, res.run_id) is True
    assert loop.towers["catboost"].p.model_path == first and loop._model_swap.current == {"majors": m1}
    store.close()
