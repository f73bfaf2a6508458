"""`scalp risk status|clear`: a latched halt is shown, cleared in the store (logged) and gone at the next start."""
import json

import pytest

import registry
from engine.app import compose, job_config
from engine.cli import main
from engine.risk import RiskManager
from engine.risk.store_adapter import StoreRiskPersistence

T0 = 1_765_000_000_000


@pytest.fixture
def db(tmp_path):
    return tmp_path / "scalp.db"


def _session(db, namespace="live"):
    """A risk manager as a live session builds it (store persistence, namespace = mode)."""
    registry.load_all()
    cfg = job_config(compose([f"store.path={db}"]))
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    return RiskManager.from_config(cfg, persistence=StoreRiskPersistence(store, namespace=namespace)), store


def _halt(db):
    rm, store = _session(db)
    rm.on_account(T0, equity_krw=1_000_000, cash_krw=1_000_000)
    rm.evaluate(None, T0)
    rm.on_account(T0 + 60_000, equity_krw=700_000, cash_krw=700_000)        # -30 %: max_drawdown (20 %) halts
    new = rm.evaluate(None, T0 + 60_000)
    assert "max_drawdown" in [t.switch for t in new] and rm.state.value == "HALTED"
    rm.persistence.write_state()
    store.close()


def _cli(capsys, *argv):
    rc = main(["risk", *argv, "ui.lang=en"])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_status_clear_and_the_next_session_starts_without_the_halt(db, tmp_path, capsys):
    _halt(db)
    rc, out, _ = _cli(capsys, "status", "--json", f"store.path={db}")
    st = json.loads(out)
    assert rc == 1 and st["state"] == "HALTED" and st["namespace"] == "live"
    halted = [t for t in st["trips"] if t["switch"] == "max_drawdown"]
    assert len(halted) == 1 and halted[0]["latched"] and halted[0]["action"] == "halt"
    states = {s["id"]: s["state"] for s in st["switches"]}
    assert states["max_drawdown"] == "tripped" and states["consecutive_losses"] == "armed"

    rc, out, _ = _cli(capsys, "status", f"store.path={db}")                # the same, for people
    assert rc == 1 and out.splitlines()[0] == f"risk (live): state HALTED · {len(st['trips'])} trips in force"
    assert any(line.strip().startswith("trip max_drawdown: halt") and "until cleared" in line
               for line in out.splitlines())

    run_dir = tmp_path / "run"
    rc, out, err = _cli(capsys, "clear", "max_drawdown", f"store.path={db}", f"hydra.run.dir={run_dir}")
    assert rc == 0, err
    assert "cleared max_drawdown: halt" in out and "reference moved peak_equity_krw: 1,000,000 -> 700,000" in out
    logged = [json.loads(line.split(" - ", 1)[1]) for line in (run_dir / "risk.log").read_text().splitlines()
              if "trip_cleared" in line]
    assert len(logged) == 1 and logged[0]["switch"] == "max_drawdown" and logged[0]["namespace"] == "live"

    rm, store = _session(db)                                                  # the next session
    assert "max_drawdown" not in {t.switch for t in rm.active_trips()}
    assert rm.snapshot.peak_equity_krw == 700_000
    rm.on_account(T0 + 120_000, equity_krw=700_000, cash_krw=700_000)
    assert "max_drawdown" not in [t.switch for t in rm.evaluate(None, T0 + 120_000)]
    store.close()
    other, store = _session(db, namespace="paper")                            # paper trips are apart
    assert other.active_trips() == []
    store.close()


def test_clear_all_unknown_switch_and_argument_errors(db, capsys):
    _halt(db)
    rc, _, err = _cli(capsys, "clear", "max_drawdwn", f"store.path={db}")
    assert rc == 2 and "no kill switch 'max_drawdwn' (did you mean max_drawdown" in err
    for bad in ([], ["max_drawdown", "--all"], ["a", "b"]):
        rc, _, err = _cli(capsys, "clear", *bad, f"store.path={db}")
        assert rc == 2 and "clear takes exactly one of" in err
    rc, _, err = _cli(capsys, "nonsense")
    assert rc == 2 and err.startswith("usage: scalp risk")
    rc, out, _ = _cli(capsys, "clear", "--all", f"store.path={db}")
    assert rc == 0 and out.splitlines()[-1].endswith("the next session starts without them")
    rc, out, _ = _cli(capsys, "clear", "--all", f"store.path={db}")
    assert rc == 0 and out.startswith("no trip in force to clear")
    rc, out, _ = _cli(capsys, "status", "--json", f"store.path={db}")
    assert rc == 0 and json.loads(out)["trips"] == [] and json.loads(out)["state"] == "ACTIVE"
