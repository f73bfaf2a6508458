"""`scalp retrain` twice on the bundled data, then `scalp models promote / rollback` (in-process, real store)."""
import json

import pytest

from engine import exit_codes
from engine.cli import main

pytestmark = pytest.mark.slow          # two small trainings and four one-week engine replays


@pytest.fixture
def argv(tmp_path, bundled_data):
    # a small model (30 iterations) and a low entry threshold, so the test window holds trades to compare
    return ["towers=[catboost]", "towers.catboost.iterations=30", "towers.catboost.boosting_type=Plain",
            "markets=[KRW-BTC,KRW-ETH]", "entry=prob_threshold", "entry.min_prob=0.1", "sizing=fixed_krw",
            "sizing.amount_krw=20000", f"feed.path={bundled_data}", f"store.path={tmp_path / 's.db'}",
            f"retrain.out_dir={tmp_path / 'models'}", f"run.out_dir={tmp_path}", f"hydra.run.dir={tmp_path / 'h'}",
            "alerts=[log]", f"alerts.log.path={tmp_path / 'alerts.jsonl'}", "ui.lang=en"]


def _registry(tmp_path):
    import registry
    from engine.models.registry import ModelRegistry
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    return store, ModelRegistry(store)


def test_retrain_twice_then_rollback(argv, tmp_path, capsys):
    assert main(["retrain", *argv]) == exit_codes.OK
    first = capsys.readouterr().out
    assert "candidate #1 promoted" in first and "no deployed model yet" in first
    rc = main(["retrain", "--json", *argv])
    second = json.loads(capsys.readouterr().out)[0]
    assert rc == (exit_codes.OK if second["promoted"] else exit_codes.RETRAIN_KEPT)
    assert second["deployed_id"] == 1 and second["candidate_id"] == 2 and second["reason"]
    cand, dep = second["candidate"], second["deployed"]
    assert cand["trades"] > 0 and dep["trades"] > 0                 # both priced by the engine replay
    assert (cand["test_start"], cand["test_end"]) == (dep["test_start"], dep["test_end"])   # one test window
    gain = cand["net_pnl_krw"] - dep["net_pnl_krw"]
    assert second["promoted"] == (gain >= 1000)                    # retrain.min_improvement_krw (DSR n/a: < 30 trades)
    if not second["promoted"]:
        assert "below the margin 1,000 KRW" in second["reason"]
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert all("event" in a for a in alerts)           # the replays send no kill-switch alerts: only outcomes
    assert [a["event"] for a in alerts] == ["retrain_promoted",
                                            "retrain_promoted" if second["promoted"] else "retrain_kept"]

    store, reg = _registry(tmp_path)
    try:
        assert main(["models", "promote", "2", *argv]) == exit_codes.OK
        assert reg.deployed("majors", second["signature"])["id"] == 2
        capsys.readouterr()
        assert main(["models", "rollback", *argv]) == exit_codes.OK
        assert "previous model #1" in capsys.readouterr().out
        assert reg.deployed("majors", second["signature"])["id"] == 1      # the previous model is back
        assert reg.get(2)["status"] == "retired" and reg.get(2)["note"] == "rolled back"
        assert main(["models", "rollback", *argv]) == exit_codes.CHECK_FAILED   # nothing deployed before #1
        assert main(["models", "list", "--json", *argv]) == exit_codes.OK
        listed = json.loads(capsys.readouterr().out)
        assert [(r["id"], r["status"]) for r in listed] == [(2, "retired"), (1, "deployed")]
    finally:
        store.close()


def test_models_command_refuses_a_missing_id(argv, capsys):
    assert main(["models", "promote", *argv]) == exit_codes.CONFIG
    assert main(["models", "promote", "7", *argv]) == exit_codes.CONFIG
    assert "no model 7" in capsys.readouterr().err
