"""Capabilities, not names: renaming every feature, tower, exit and kill-switch instance changes nothing."""
import math

import pytest
from omegaconf import OmegaConf

import registry
from components.types import metric_names as MN
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.features import FeatureSet
from engine.order_manager import OrderManager
from engine.risk.manager import RiskManager

WINDOW = ["feed.start=2025-09-20T00:00:00Z", "feed.end=2025-09-20T12:00:00Z", "markets=[KRW-BTC,KRW-XRP]"]
FEATURES = {"hurst": "my_h", "vol_regime": "vr", "vpin_bvc": "flow_toxicity", "kyle_lambda_bvc": "impact"}
EXITS = {"hard_stop": "stop", "ev_trail": "trail", "time_stop": "clock", "profit_target": "take",
         "fee_floor": "floor"}
SWITCHES = {"random_walk_regime": "rw"}
TOWERS = {"momentum_rule": "rule"}


def _renamed(mapping: dict, renames: dict) -> dict:
    return {renames.get(k, k): v for k, v in mapping.items()}


def _cfg(bundled_data, rename: bool):
    registry.load_all()
    cfg = job_config(compose([*WINDOW, f"feed.path={bundled_data}", "towers=[momentum_rule]",
                              "towers.momentum_rule.threshold_score=0.0008", "entry=prob_threshold",
                              "sizing=adaptive_kelly", "orders.exit_type=limit",
                              "exits.profit_target.target_pct=0.05", "exits.time_stop.after_s=1800"]))
    plain = OmegaConf.to_container(cfg, resolve=True)
    if rename:
        plain["features"] = _renamed(plain["features"], FEATURES)
        plain["exits"] = _renamed(plain["exits"], EXITS)
        plain["killswitches"] = _renamed(plain["killswitches"], SWITCHES)
        plain["towers"] = _renamed(plain["towers"], TOWERS)
    return OmegaConf.create(plain)


def _run(cfg, monkeypatch):
    """Backtest without a store; returns (result, sizing inputs the risk manager saw, exit orders sent)."""
    sizing, exits = [], []
    check_entry, submit = RiskManager.check_entry, OrderManager.submit

    def spy_entry(self, market, ts_ms, **kw):
        ctx = kw["context"]
        sizing.append((ctx.vpin, ctx.kyle_lambda, ctx.volatility_ratio))
        return check_entry(self, market, ts_ms, **kw)

    def spy_submit(self, intent, ts_ms, purpose, *a, **kw):
        if purpose == "exit":
            exits.append((intent.reason, intent.ord_type))
        return submit(self, intent, ts_ms, purpose, *a, **kw)

    monkeypatch.setattr(RiskManager, "check_entry", spy_entry)
    monkeypatch.setattr(OrderManager, "submit", spy_submit)
    return run_backtest(cfg, use_store=False, write_report=False), sizing, exits


def test_feature_set_finds_columns_by_capability():
    fs = FeatureSet.from_config({"a": {"component": "rsi_14"}, "my_h": {"component": "hurst"},
                                 "flow": {"component": "vpin_bvc"}, "impact": {"component": "kyle_lambda"}})
    assert fs.column("hurst") == fs.names.index("my_h")
    assert fs.column("vpin") == fs.names.index("flow")
    assert fs.column("kyle_lambda") == fs.names.index("impact")
    assert fs.column("vol_regime") == -1 and fs.column("rsi_14") == -1     # an id is not a capability


def test_components_declare_what_the_engine_asks():
    for name in registry.names("tower"):
        cls = registry.get("tower", name)
        assert not hasattr(cls, "requires_fit"), f"tower {name}: `requires_fit` is spelled `trainable` now"
        for attr in ("trainable", "sequential", "needs_ticks", "baseline"):
            assert isinstance(getattr(cls, attr), bool), f"tower {name}.{attr}"
    for name in registry.names("exit"):
        assert isinstance(getattr(registry.get("exit", name), "rests_limit", None), bool), f"exit {name}"
    providers = {cap: {n for n in registry.names("feature") if cap in registry.get("feature", n).provides}
                 for cap in ("hurst", "vol_regime", "vpin", "kyle_lambda")}
    assert providers == {"hurst": {"hurst"}, "vol_regime": {"vol_regime"}, "vpin": {"vpin", "vpin_bvc"},
                         "kyle_lambda": {"kyle_lambda", "kyle_lambda_bvc"}}


@pytest.fixture(scope="module")
def twin_runs(bundled_data):
    with pytest.MonkeyPatch.context() as mp:
        base = _run(_cfg(bundled_data, rename=False), mp)
    with pytest.MonkeyPatch.context() as mp:
        renamed = _run(_cfg(bundled_data, rename=True), mp)
    return base, renamed


def test_renamed_instances_trade_exactly_the_same(twin_runs):
    (base, base_ctx, _), (ren, ren_ctx, _) = twin_runs
    assert base.data.trades, "the window must trade for the comparison to mean anything"
    exits = {**EXITS, **{f"killswitch:{k}": f"killswitch:{v}" for k, v in SWITCHES.items()}}
    assert [(t["market"], t["net_krw"], exits.get(t["exit_reason"], t["exit_reason"])) for t in base.data.trades] \
        == [(t["market"], t["net_krw"], t["exit_reason"]) for t in ren.data.trades]
    assert base.summary["net_krw"] == ren.summary["net_krw"]
    # sizing read vpin, kyle lambda and the volatility ratio from the renamed columns
    assert base_ctx == ren_ctx and base_ctx
    assert all(math.isfinite(v) for ctx in ren_ctx for v in ctx)


def test_hurst_reaches_the_random_walk_switch_under_any_id(twin_runs):
    (base, _, _), (ren, _, _) = twin_runs
    for res in (base, ren):
        for m in res.loop.markets:
            assert math.isfinite(res.loop.metrics.get(MN.per_market(MN.HURST, m)))

    def trips(res, sid):
        return [(t["ts_ms"], t["market"]) for t in res.data.trips if t["switch"] == sid]
    assert trips(base, "random_walk_regime"), "the random-walk switch must trip in this window"
    assert trips(base, "random_walk_regime") == trips(ren, "rw")


def test_exits_that_rest_limit_orders_say_so_whatever_their_id(twin_runs):
    """orders.exit_type=limit: profit exits (take, trail) rest limit asks, stops leave at market."""
    (_, _, base_exits), (_, _, ren_exits) = twin_runs
    kinds = {}
    for reason, ord_type in ren_exits:
        kinds.setdefault(reason, set()).add(ord_type)
    assert kinds, "the window must exit for the comparison to mean anything"
    for reason, types in kinds.items():
        assert types == ({"limit"} if reason in ("take", "trail") else {"market"}), (reason, types)
    assert [(EXITS.get(r, r), t) for r, t in base_exits] == ren_exits


def test_walkforward_towers_are_chosen_by_what_they_declare():
    """Renamed towers keep their walk-forward treatment: baselines and tick towers are skipped, seeds and
    the boosting type reach whichever tower takes them."""
    from engine.ensemble import build_tower_node, tower_nodes, with_boosting
    cfg = OmegaConf.create({"towers": {"gbm": {"component": "catboost"}, "seq": {"component": "ssm"},
                                       "coin": {"component": "random_entry"}, "book": {"component": "hfp"},
                                       "reg": {"component": "regime"}}})
    nodes, skipped = tower_nodes(cfg)
    assert set(nodes) == {"gbm", "seq", "reg"} and set(skipped) == {"coin", "book"}
    assert build_tower_node("gbm", nodes["gbm"], 7).p.random_seed == 7
    assert build_tower_node("seq", nodes["seq"], 7).p.seed == 7
    assert with_boosting("gbm", nodes["gbm"], "Ordered")["boosting_type"] == "Ordered"
    assert "boosting_type" not in with_boosting("reg", nodes["reg"], "Ordered")


def test_money_moving_modes_find_the_stop_by_what_it_bounds():
    from engine.checks.risk import stop_exit_required
    paper = {"mode": "paper", "exits": {"take": {"component": "profit_target"}}}
    assert stop_exit_required(OmegaConf.create(paper))                       # no loss-bounding exit
    paper["exits"]["my_stop"] = {"component": "hard_stop"}
    assert stop_exit_required(OmegaConf.create(paper)) == []


def test_engine_compares_no_feature_tower_exit_or_switch_name():
    """No `==`/`in`/`startswith` against a feature, tower, exit or kill-switch name anywhere in engine/."""
    import ast
    from pathlib import Path
    registry.load_all()
    names = {n for kind in ("feature", "tower", "exit", "killswitch") for n in registry.names(kind)}
    root = Path(__file__).resolve().parents[2]

    def named(node) -> list[str]:
        consts = [node] if isinstance(node, ast.Constant) else \
            list(node.elts) if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else []
        return [c.value for c in consts if isinstance(c, ast.Constant) and c.value in names]

    bad = []
    for path in sorted((root / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            hits = []
            if isinstance(node, ast.Compare):
                hits = [h for side in (node.left, *node.comparators) for h in named(side)]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("startswith", "endswith", "index"):
                hits = [h for a in node.args for h in named(a)]
            bad += [f"{path.relative_to(root)}:{node.lineno}: {h}" for h in hits]
    assert not bad, "engine code comparing component names:\n" + "\n".join(bad)


def test_rule_tower_inputs_find_capabilities_under_any_id():
    """The regime tower's inputs (trend_regime, vol_regime, volume_regime, hurst) follow renamed features."""
    nodes = {"trend_regime": {"component": "trend_regime"}, "vol_regime": {"component": "vol_regime"},
             "volume_regime": {"component": "volume_regime"}, "hurst": {"component": "hurst"}}
    bound = []
    for renames in ({}, {"trend_regime": "t", "vol_regime": "v", "volume_regime": "q", "hurst": "my_h"}):
        fs = FeatureSet.from_config(_renamed(nodes, renames))
        tower = registry.build("tower", {"component": "regime"}, path="towers.r")
        tower.bind_providers(fs.providers)
        tower.bind(fs.names)
        bound.append((tower.cols.tolist(), tower.w.tolist()))
    assert bound[0] == bound[1] and len(bound[0][0]) == 5          # trend_regime has two columns
