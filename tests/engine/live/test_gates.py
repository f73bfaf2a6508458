"""Go-live gates: `scalp live` refuses without a qualifying walk-forward and paper session of its trading
signature, lists every unmet gate with its measured value, and runs once the store holds that evidence.

The paper sessions here are real (`scalp paper` against the local server); the walk-forward rows are written
through the store API (start_run / save_artifact / finish_run, exactly what `scalp walkforward` stores): a
walk-forward of these book-feature bots would need recorded order books the bundled data does not have."""
import math

import registry
from tests.engine.live.test_cli import args


def _store(tmp_path):
    return registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")


def _walkforward(store, config, trades=40, net_krw=12_000.0, dsr=0.97, drawdowns=(0.03, 0.05)):
    rid = store.start_run("walkforward", config, mode="walkforward")
    store.save_artifact(f"walkforward/{rid}", "walkforward",
                        {"summary": {"trades": trades, "net_pnl_krw": net_krw, "deflated_sharpe": dsr},
                         "folds": [{"max_drawdown": d} for d in drawdowns]}, run_id=rid)
    store.finish_run(rid, "done")
    return rid


def _paper_run(server, tmp_path, seconds="2"):
    from engine.commands import paper
    assert paper.main(args(server, tmp_path, "--duration-s", seconds, live=False)) == 0
    with _store(tmp_path) as st:
        return [r for r in st.runs() if r["mode"] == "paper"][-1]


def test_live_without_evidence_is_refused_and_lists_the_gates(server, tmp_path, keys, orders_on, capsys):
    from engine.commands import live
    access, _ = keys("gates-none")
    assert live.main(args(server, tmp_path, "run.duration_s=1")) == 1
    err = capsys.readouterr().err
    assert "live refused: 2 go-live gate(s) not met" in err
    assert "walkforward: measured no walk-forward with this signature (0 stored" in err
    assert "live.gates.paper_hours: measured 0.00 h · required >= 24.0 h" in err
    assert orders_on(access)[0] == [] and not (tmp_path / "s.db").exists()     # nothing ran, nothing created


def test_weak_walkforward_lists_each_failed_figure(server, tmp_path, keys, capsys):
    from engine.commands import live
    keys("gates-weak")
    paper_run = _paper_run(server, tmp_path)
    with _store(tmp_path) as st:
        _walkforward(st, paper_run["config"], trades=12, net_krw=-3_500.0, dsr=0.41, drawdowns=(0.02, 0.31))
    capsys.readouterr()
    assert live.main(args(server, tmp_path, "run.duration_s=1")) == 1
    err = capsys.readouterr().err
    assert "live.gates.min_trades: measured 12 · required >= 30" in err
    assert "live.gates.min_net_pnl_krw: measured -3,500 · required > 0" in err
    assert "live.gates.min_deflated_sharpe: measured 0.410 · required >= 0.95" in err
    assert "live.gates.max_drawdown_pct: measured 31.00 · required <= 20.0" in err
    assert "live.gates.paper_hours" in err                   # a 2 s paper session is not 24 h
    assert "walkforward:" not in err                         # that gate is met: same signature


def test_qualifying_walkforward_and_paper_session_let_live_start(server, tmp_path, keys, orders_on, capsys):
    from engine.commands import live
    access, _ = keys("gates-ok")
    paper_run = _paper_run(server, tmp_path)
    hours = (paper_run["finished_ms"] - paper_run["started_ms"]) / 3_600_000
    with _store(tmp_path) as st:
        _walkforward(st, paper_run["config"], trades=12)                 # a weaker one does not hide a good one
        wf = _walkforward(st, paper_run["config"])
    capsys.readouterr()
    assert live.main(args(server, tmp_path, "run.duration_s=2", f"live.gates.paper_hours={hours / 2:.6f}")) == 0
    out = capsys.readouterr().out
    assert f"go-live gates passed: walk-forward run {wf}, paper run {paper_run['id']}" in out
    with _store(tmp_path) as st:
        run = [r for r in st.runs() if r["mode"] == "live"][-1]
        stored = st.load_artifact(f"live-gates/{run['id']}")["signature"]
    assert stored["passed"] and stored["walkforward_run"] == wf and stored["paper_run"] == paper_run["id"]
    assert orders_on(access)[0] == []
    # a paper session shorter than required fails that gate alone
    assert live.main(args(server, tmp_path, "run.duration_s=1", f"live.gates.paper_hours={hours * 2:.6f}")) == 1
    err = capsys.readouterr().err
    assert "1 go-live gate(s)" in err and "live.gates.paper_hours: measured" in err


def test_gates_off_must_be_explicit_and_is_printed_and_stored(server, tmp_path, keys, capsys):
    from engine.commands import live
    keys("gates-off")
    assert live.main(args(server, tmp_path, "run.duration_s=1", "live.gates.enabled=false")) == 0
    assert "go-live gates OFF (live.gates.enabled=false)" in capsys.readouterr().out
    with _store(tmp_path) as st:
        run = [r for r in st.runs() if r["mode"] == "live"][-1]
        stored = st.load_artifact(f"live-gates/{run['id']}")["signature"]
    assert stored["enabled"] is False and run["config"]["live"]["gates"]["enabled"] is False


def test_validate_mode_live_reports_the_gates_as_a_note(server, tmp_path, keys, capsys):
    from engine.commands import validate
    keys("gates-validate")
    assert validate.main(args(server, tmp_path, "mode=live")) == 0
    out = capsys.readouterr().out
    assert "config OK" in out and "note (scalp live gates): live refused: 2 go-live gate(s)" in out
    assert "note (scalp live gates):   live.gates.paper_hours" in out
    assert not (tmp_path / "s.db").exists()                  # checking the gates creates no database


def test_trading_signature_ignores_where_a_run_goes_and_follows_what_trades(make_cfg):
    from engine.live.gates import trade_signature
    base = trade_signature(make_cfg("paper"))
    assert trade_signature(make_cfg("live")) == base                        # exchange, mode
    assert trade_signature(make_cfg("paper", "store.path=/tmp/elsewhere.db", "run.name=x", "ui.lang=ko",
                                    "live.gates.paper_hours=1", "feed.stale_after_s=30")) == base
    assert trade_signature(make_cfg("paper", "+towers.random_entry.model_path=/m")) == base
    for changed in ("towers.random_entry.entry_rate=0.3", "features=[spread_pct]", "markets=[KRW-DAWN]",
                    "killswitches.daily_loss.loss_pct=2", "decision_interval_ms=2000"):
        assert trade_signature(make_cfg("paper", changed)) != base, changed


def test_sim_real_gap_is_published_and_the_switch_trips_on_a_forced_gap():
    from components.killswitch.sim_real_gap import SimRealGap
    from components.types.events import BookSnapshot
    from components.types.metric_names import SIM_REAL_GAP_PCT
    from components.types.metrics import Metrics
    from components.types.orders import Fill
    from components.types.risk import RiskSnapshot
    from engine.live.sim_gap import SimGapMonitor
    import numpy as np
    switch = registry.build("killswitch", {"component": "sim_real_gap", "max_gap_pct": 10}, path="killswitches")
    assert isinstance(switch, SimRealGap)

    def session(buy_px, sell_px):
        met = Metrics()
        mon = SimGapMonitor(met)
        book = lambda ts, b, a: BookSnapshot("KRW-X", ts, np.array([b]), np.array([1.0]), np.array([a]),  # noqa: E731
                                             np.array([1.0]))
        mon.observe(book(1_000, 100.0, 101.0))
        mon.on_fill(Fill("KRW-X", "u1", "bid", buy_px, 10.0, 0.5, 1_100))
        mon.observe(book(2_000, 102.0, 103.0))
        mon.on_fill(Fill("KRW-X", "u2", "ask", sell_px, 10.0, 0.5, 2_100))
        net = (sell_px - buy_px) * 10.0 - 1.0
        mon.on_trip({"market": "KRW-X", "net_krw": net, "fees_krw": 1.0})
        return met, mon
    met, mon = session(101.0, 102.0)                    # filled exactly where the sim would: no gap
    assert met.get(SIM_REAL_GAP_PCT) == 0.0 and switch.check(met, RiskSnapshot(), 3_000) is None
    met, mon = session(101.5, 101.5)                    # 0.5 worse on both legs: 10 KRW on a sim net of 9
    assert math.isclose(met.get(SIM_REAL_GAP_PCT), 100.0 * 10.0 / 9.0)
    trip = switch.check(met, RiskSnapshot(), 3_000)
    assert trip is not None and trip.action == "halt" and trip.values["gap_pct"] > 10


def test_a_forced_gap_halts_a_paper_session(make_cfg, monkeypatch):
    """The session's kill switches read the published gap: a sim that prices every fill 1 % better trips it."""
    from engine.live import sim_gap
    from engine.live.runner import run_session
    real = sim_gap.SimGapMonitor.sim_price
    monkeypatch.setattr(sim_gap.SimGapMonitor, "sim_price",
                        lambda self, f: real(self, f) * (0.99 if f.side == "bid" else 1.01))
    res = run_session(make_cfg("paper", "killswitches=[sim_real_gap]"), "paper", store=None, duration_s=8)
    assert res.sim_gap.trips and res.sim_gap.gap_pct > 10
    assert any(t["switch"] == "sim_real_gap" for t in res.loop.ledger.data.trips)


def test_a_real_walkforward_is_found_by_signature_and_its_figures_measured(tmp_path):
    """`scalp walkforward`'s own stored run (no hand-written rows): the live config of the same bot (live
    feed, real exchange, a saved model) finds it; its figures are the stored summary's; a changed bot does not."""
    from engine.app import compose, job_config
    from engine.commands.walkforward import run_and_record
    from engine.live import gates
    registry.load_all()
    bot = ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.depth=3",
           "markets=[KRW-SOL,KRW-XRP,KRW-BTC,KRW-ETH]", "entry=prob_threshold", "entry.min_prob=0.05",
           "sizing=fixed_krw", f"store.path={tmp_path / 's.db'}", f"run.out_dir={tmp_path}"]
    res, _, _ = run_and_record(job_config(compose([*bot, "walkforward.folds=2", "walkforward.baseline_draws=20"])),
                               {"json": True}, "walkforward")
    live = [*bot, "mode=live", "feed=upbit_ws", "exchange=upbit", f"+towers.catboost.model_path={tmp_path / 'm'}"]
    rep = gates.check(job_config(compose(live)))
    assert rep.walkforward_run == res["run_id"] and rep.gates[0].name == "walkforward" and rep.gates[0].ok
    measured = {g.name: g.measured for g in rep.gates}
    assert measured["min_trades"] == f"{res['summary']['trades']:.0f}"
    assert measured["min_net_pnl_krw"] == f"{res['summary']['net_pnl_krw']:,.0f}"
    worst = max(f["max_drawdown"] for f in res["folds"]) * 100
    assert measured["max_drawdown_pct"] == f"{worst:.2f}"
    other = gates.check(job_config(compose([*live, "entry.min_prob=0.06"])))
    assert [g.name for g in other.unmet][:1] == ["walkforward"] and other.walkforward_run is None


def test_an_unreadable_store_is_no_evidence(make_cfg, tmp_path):
    from engine.live import gates
    bad = tmp_path / "not-a-db.db"
    bad.write_text("this is not sqlite")
    rep = gates.check(make_cfg("live", f"store.path={bad}"))
    assert not rep.passed and [g.name for g in rep.unmet] == ["store"]
    assert "DatabaseError" in rep.unmet[0].measured
