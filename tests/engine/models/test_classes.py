"""Per-class models: a two-class bot trains one model per class; decisions route each market to its class's
towers, entry threshold and sizing cap."""
import io
import json
import math
from contextlib import redirect_stdout

import numpy as np
import pytest

import registry
from engine.app import compose, job_config

pytestmark = pytest.mark.slow          # two small trainings (~20 s on two busy cores)
CLASSES = "classes.markets={KRW-BTC:majors,KRW-SOL:alts}"
BOT = ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.boosting_type=Plain",
       "markets=[KRW-BTC,KRW-SOL]", CLASSES, "entry=prob_threshold", "ui.lang=en"]


@pytest.fixture(scope="module")
def trained(bundled_data, tmp_path_factory):
    from engine.commands import train
    out = tmp_path_factory.mktemp("classes")
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = train.main(["--json", *BOT, "classes.per_class=true", f"feed.path={bundled_data}",
                         f"run.out_dir={out}", f"store.path={out / 's.db'}", f"hydra.run.dir={out / 'h'}"])
    assert rc == 0, buf.getvalue()[-2000:]
    return json.loads(buf.getvalue().strip().splitlines()[-1])


def _loop(trained, *extra):
    from engine.loop import EngineLoop
    registry.load_all()
    cfg = job_config(compose([*BOT, *trained["overrides"], *extra]))
    return EngineLoop(cfg, markets=["KRW-BTC", "KRW-SOL"], host_metrics=False)


def test_a_two_class_bot_trains_one_model_per_class(trained):
    doc = trained["classes"]
    assert set(doc) == {"majors", "alts"}
    assert doc["majors"]["markets"] == ["KRW-BTC"] and doc["alts"]["markets"] == ["KRW-SOL"]
    paths = {cls: d["model_paths"]["catboost"] for cls, d in doc.items()}
    assert paths["majors"] != paths["alts"] and all(p.endswith(f"/{cls}/catboost") for cls, p in paths.items())
    assert doc["majors"]["train_rows"] > 0 and doc["alts"]["train_rows"] > 0
    assert trained["overrides"][0].startswith("classes.models={")


def test_decisions_route_each_market_to_its_class_model_and_threshold(trained):
    loop = _loop(trained, "classes.sizing_cap_pct={alts:1.5}")
    pipe = loop.pipeline
    doc = trained["classes"]
    btc, sol = pipe.towers_of("KRW-BTC")["catboost"], pipe.towers_of("KRW-SOL")["catboost"]
    assert btc.p.model_path == doc["majors"]["model_paths"]["catboost"]
    assert sol.p.model_path == doc["alts"]["model_paths"]["catboost"]
    x = np.zeros(len(loop.feature_names))
    p_btc, s_btc = pipe.score("KRW-BTC", x, -1)
    p_sol, s_sol = pipe.score("KRW-SOL", x, -1)
    assert s_btc["catboost"] == float(btc.step(x, {"market": "KRW-BTC"})[0])
    assert s_sol["catboost"] == float(sol.step(x, {"market": "KRW-SOL"})[0])
    assert s_btc["catboost"] != s_sol["catboost"]          # one row, two class models, two answers
    # the preset's class thresholds (prob_threshold: min_prob majors 0.60, alts 0.62)
    e_btc, e_sol = pipe.route_of("KRW-BTC").entry, pipe.route_of("KRW-SOL").entry
    assert (e_btc.p.min_prob, e_sol.p.min_prob) == (0.60, 0.62)
    assert e_btc.decide(0.61).enter and not e_sol.decide(0.61).enter
    from engine.models.classes import capped
    assert capped(50_000, pipe.route_of("KRW-SOL"), 1_000_000) == 15_000            # alts cap 1.5 %
    assert capped(50_000, pipe.route_of("KRW-BTC"), 1_000_000) == 50_000            # majors: no cap set
    assert math.isnan(pipe.route_of("KRW-BTC").cap_pct)


def test_no_class_markets_no_routing(trained):
    loop = _loop(trained, "classes.markets=null")
    assert loop.pipeline.routes == {}
    assert loop.pipeline.entry.p.min_prob == 0.60 and loop.pipeline.towers_of("KRW-SOL") is loop.pipeline.towers


def test_a_class_model_for_another_feature_set_is_refused(trained):
    from engine.validate import validate_config
    registry.load_all()
    cfg = job_config(compose([*BOT, *trained["overrides"], "features=[spread_pct]"]))
    problems = validate_config(cfg)
    assert any(p.startswith("classes.models.majors.catboost") for p, _ in problems)


def test_a_class_cap_below_the_minimum_order_refuses_the_entry_and_others_trade(trained):
    """alts capped at 0.1 % of 1,000,000 KRW = 1,000 KRW < the cost model's minimum order: no intent, reason
    `class_cap`; the uncapped majors market gets its order at the sizing policy's size."""
    loop = _loop(trained, "classes.sizing_cap_pct={alts:0.1}")
    for m, px in (("KRW-BTC", 150_000_000.0), ("KRW-SOL", 300_000.0)):
        loop.md.last_px[m], loop.md.best_bid[m], loop.md.best_ask[m] = px, px * 0.9999, px * 1.0001
    x = np.zeros(len(loop.feature_names))
    sol, _, why = loop.pipeline.entry_intent(loop, "KRW-SOL", 0.99, x, 0)
    assert sol is None and why[-1] == "class_cap" and loop.costs.min_order_krw > 1_000
    btc, size, why_btc = loop.pipeline.entry_intent(loop, "KRW-BTC", 0.99, x, 0)
    assert btc is not None and size >= loop.costs.min_order_krw and "class_cap" not in why_btc
