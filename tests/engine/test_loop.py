"""Engine loop on the bundled 1m candles (bar level): storage, accounting, warm-up, decision interval, exits."""
import math

import numpy as np
import pytest

import registry
from engine.app import compose, job_config
from engine.backtest import run_backtest
from engine.features import FeatureSet

DAY = ["feed.start=2025-09-20T00:00:00Z", "feed.end=2025-09-21T00:00:00Z"]


def cfg_of(*overrides):
    """The rule baseline (no training) unless a test picks its own towers / entry."""
    registry.load_all()
    ov = list(overrides)
    if not any(o.startswith("towers=") for o in ov):
        ov.insert(0, "towers=[momentum_rule]")
    if not any(o.startswith(("entry=", "~entry")) for o in ov):
        ov.insert(0, "entry=prob_threshold")
    return job_config(compose(ov))


@pytest.fixture(scope="module")
def bar_run(tmp_path_factory, bundled_data):
    db = tmp_path_factory.mktemp("loop") / "s.db"
    cfg = cfg_of(*DAY, f"feed.path={bundled_data}", f"store.path={db}", "towers=[momentum_rule]",
                 "towers.momentum_rule.threshold_score=0.0008")
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    res = run_backtest(cfg, store=store, write_report=False)
    yield cfg, res, store
    store.close()


def test_every_decision_is_stored_with_features_scores_reasons(bar_run):
    cfg, res, store = bar_run
    rows = store.records("decisions", res.run_id)
    assert len(rows) == res.summary["decisions"] > 1000
    names = set(res.loop.feature_names)
    for r in rows[:: max(1, len(rows) // 200)]:
        assert names <= set(r["features"]) and all(math.isfinite(r["features"][n]) for n in names)
        assert set(r["scores"]) == {"momentum_rule"} and r["reasons"]
        assert r["action"] in ("enter", "hold", "blocked", "rejected")
    entries = [r for r in rows if r["action"] == "enter"]
    assert entries and all(r["score"] >= 0.6 for r in entries)          # prob_threshold min_prob
    assert len(store.records("fills", res.run_id)) == res.summary["fills"] > 0
    assert len(store.records("equity", res.run_id)) >= 1440 // 2


def test_equity_change_equals_booked_trades_net_of_fees(bar_run):
    """Final equity - initial == Σ closed round trips (net of both fees) + open positions at mark."""
    _, res, _ = bar_run
    d, s = res.data, res.summary
    assert s["trades"] > 5
    assert not any(t["dust_krw"] for t in d.trades)
    open_value = sum(p["volume"] * p["mark_price"] - p["cost_krw"] for p in d.open_positions)
    assert s["final_krw"] - s["initial_krw"] == pytest.approx(sum(t["net_krw"] for t in d.trades) + open_value,
                                                              abs=1.0)
    for t in d.trades:
        assert t["net_krw"] == pytest.approx(t["gross_krw"] - t["fees_krw"], abs=1e-6)
        assert t["fees_krw"] == pytest.approx(0.0005 * (t["buy_krw"] + t["sell_krw"]), rel=1e-6)
    assert s["fees_krw"] == pytest.approx(sum(f["fee_krw"] for f in d.fills))


def test_exit_reasons_follow_configured_exits(bar_run):
    cfg, res, _ = bar_run
    allowed = set(cfg.exits) | {f"killswitch:{k}" for k in cfg.killswitches}
    after_ms = cfg.exits.time_stop.after_s * 1000
    for t in res.data.trades:
        assert t["exit_reason"] in allowed
        if t["exit_reason"] == "time_stop":
            assert t["hold_ms"] >= after_ms
        if t["exit_reason"] == "profit_target":
            assert t["net_return"] > 0


def test_decisions_start_when_warm_and_respect_interval(bundled_data):
    cfg = cfg_of(*DAY, f"feed.path={bundled_data}", "markets=[KRW-ETH]", "decision_interval_ms=300000")
    res = run_backtest(cfg, use_store=False, write_report=False)
    feed = registry.build("feed", cfg.feed, path="feed")
    stream = feed.load(["KRW-ETH"])["KRW-ETH"]
    X, _ = FeatureSet.from_config(cfg.features).batch(stream)
    first_warm = int(stream.ts_ms[np.flatnonzero(np.isfinite(X).all(1))[0]])
    ts = np.array([p[0] for p in res.data.prices["KRW-ETH"]])
    assert ts[0] == first_warm
    assert np.all(np.diff(ts) >= 300_000)
    assert res.loop.warmup_skips > 0


def test_no_entry_rule_means_no_entries(bundled_data):
    cfg = cfg_of(*DAY, f"feed.path={bundled_data}", "markets=[KRW-BTC]", "~entry", "towers=[buy_and_hold]")
    res = run_backtest(cfg, use_store=False, write_report=False)
    assert res.summary["entries"] == 0 and res.summary["fills"] == 0
    assert res.summary["final_krw"] == cfg.initial_krw


def test_buy_and_hold_without_exits_holds_to_the_end(bundled_data):
    cfg = cfg_of(*DAY, f"feed.path={bundled_data}", "markets=[KRW-BTC]", "towers=[buy_and_hold]", "exits=[]",
                 "killswitches=[]")
    res = run_backtest(cfg, use_store=False, write_report=False)
    assert res.summary["entries"] == 1 and res.summary["trades"] == 0
    assert len(res.data.open_positions) == 1
    assert res.summary["exposure_pct"] > 90
