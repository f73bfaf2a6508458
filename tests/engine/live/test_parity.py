"""Parity: a paper session against the local server, its recorded market data replayed by `scalp parity`."""
import json

import registry


def _paper(make_cfg, tmp_path, seconds=6, *extra):
    from engine.live.runner import run_session
    cfg = make_cfg("paper", *extra)
    res = run_session(cfg, "paper", duration_s=seconds)
    assert res.status == "done" and not res.error
    return res, str(tmp_path / "scalp.db")


def test_paper_session_then_parity_latest_matches(make_cfg, tmp_path, capsys):
    from engine.cli import main
    res, db = _paper(make_cfg, tmp_path)
    assert res.tape.events == res.events > 100            # every event the loop saw went to the tape
    capsys.readouterr()
    rc = main(["parity", "latest", "--json", f"store.path={db}"])
    out = json.loads(capsys.readouterr().out)
    assert out["run_id"] == res.run_id and out["replay_events"] == res.events
    assert out["decisions_real"] > 50 and out["trades_real"] > 0 and out["trades_replay"] == out["trades_real"]
    assert all(abs(g) < 1.0 for g in out["fill_gap_bps"])          # same fills, same prices
    assert out["identical_decisions_pct"] >= 99.0
    assert out["pnl_gap_pct"] is not None and out["pnl_gap_pct"] <= 3.0
    assert rc == 0 and out["passed"]
    # the session published its rolling gap; paper fills are the simulator's own, at the touch: no gap
    from components.types.metric_names import SIM_REAL_GAP_PCT
    assert len(res.sim_gap.trips) == out["trades_real"]
    assert res.loop.metrics.get(SIM_REAL_GAP_PCT) == res.sim_gap.gap_pct < 1.0


def test_parity_fails_when_the_session_saw_other_data(make_cfg, tmp_path, capsys):
    """Thin the recorded books: the replay no longer sees what the session saw -> exit 1."""
    from sqlalchemy import text

    from engine.cli import main
    res, db = _paper(make_cfg, tmp_path, 4)
    store = registry.build("store", {"component": "sqlite", "path": db}, path="store")
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM books WHERE k = 0 AND ts_ms % 3 = 0"))
    store.close()
    capsys.readouterr()
    rc = main(["parity", str(res.run_id), "--json", f"store.path={db}"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and not out["passed"]
    assert out["identical_decisions_pct"] < 99.0
    assert main(["parity", str(res.run_id), f"store.path={db}", "ui.lang=en"]) == 1      # the people's version
    text = capsys.readouterr().out
    assert f"run {res.run_id} (paper) replayed" in text and "identical decisions" in text
    assert "parity FAILED: outside the thresholds" in text and "fill-price gap" in text and "PnL" in text


def test_parity_names_a_missing_run(make_cfg, tmp_path, capsys):
    from engine.cli import main
    _paper(make_cfg, tmp_path, 2)
    rc = main(["parity", "9999", f"store.path={tmp_path / 'scalp.db'}", "ui.lang=en"])
    assert rc == 2 and "9999" in capsys.readouterr().err


def test_live_session_is_taped_and_replayed(make_cfg, keys, tmp_path, capsys):
    """Live orders go to the local server (its own matching engine): the tape and the replay still line up."""
    from engine.cli import main
    from engine.live.runner import run_session
    from engine.settings import LiveSettings
    keys("parity")
    res = run_session(make_cfg("live"), "live", duration_s=6, settings=LiveSettings(poll_interval_s=0.2))
    assert res.status == "done" and res.tape.events == res.events > 100
    capsys.readouterr()
    main(["parity", "latest", "--json", f"store.path={tmp_path / 'scalp.db'}"])
    out = json.loads(capsys.readouterr().out)
    assert out["run_id"] == res.run_id and out["mode"] == "live" and out["replay_events"] == res.events
    assert out["decisions_real"] > 50 and out["identical_decisions_pct"] > 50.0
    assert out["trades_real"] == len(res.loop.ledger.data.trades) and out["pnl_gap_pct"] is not None
