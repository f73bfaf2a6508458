"""`scalp bench faults` at CI size: live bots behind the proxy, kills and restarts, figures from the exchange and
the stores. Asserts the figures' shape, that every fault type was really injected, and the zeros that hold."""
import json

import pytest

from engine.bench import faults
from engine.server.fault_proxy import REQUEST_FAULTS

pytestmark = pytest.mark.faults

FIGURES = ("zombies", "duplicates", "duplicate_entries", "repeat_sells", "lost_fills", "double_booked_fills",
           "balance_mismatches", "server_418", "tracebacks", "orders_on_exchange", "trades_on_exchange")
CI = ["--quick"]


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    work = tmp_path_factory.mktemp("faults")
    try:
        faults.capture_file()
    except FileNotFoundError:
        pytest.skip("no Upbit capture to replay")
    return faults.run(faults.parse(CI), work), work


def test_every_fault_type_was_injected_and_counted(figures):
    out, _ = figures
    inj = out["faults_injected"]
    assert inj["total"] == sum(inj["by_type"].values()) > 0
    missing = {*REQUEST_FAULTS, "ws_drop", "server_kill9", "bot_kill9"} - {k for k, n in inj["by_type"].items() if n}
    assert not missing, f"fault types never injected: {sorted(missing)}"
    assert out["lifecycle"]["server_restart"] >= inj["by_type"]["server_kill9"]
    assert out["lifecycle"]["bot_restart"] >= inj["by_type"]["bot_kill9"]


def test_figures_have_their_shape_and_the_bots_traded(figures):
    out, work = figures
    assert out["settings"]["bots"] == 1 and out["settings"]["duration_s_cap"] == 40     # --quick is the CI size
    assert all(isinstance(out[k], int) and out[k] >= 0 for k in FIGURES)
    assert out["orders_on_exchange"] >= 1, "the bots placed no order: the figures would measure nothing"
    assert out["duplicates"] == out["duplicate_entries"] + out["repeat_sells"]
    bots = out["bots"]
    assert len(bots) == 1 and bots[0]["runs"] >= 2                     # restarts share one store
    assert out["tracebacks"] == sum(out["traceback_files"].values())
    assert out["lifecycle"]["final_exit_codes"] and json.dumps(out)     # one JSON object
    assert any(work.glob("bot0-*.err")) and (work / "exchange-state.pkl").exists()


def test_zero_figures(figures):
    out, _ = figures
    assert out["zombies"] == 0
    assert out["double_booked_fills"] == 0
    assert out["server_418"] == 0, "the bots drove the server's own rate guard into a 418 block"
    assert out["duplicates"] == 0
    assert out["lost_fills"] == 0
    assert out["balance_mismatches"] == 0
    assert out["tracebacks"] == 0
    rec = out["lifecycle"]["reconcile_exit_codes"]
    assert rec and set(rec) == {0}                                      # the store matches the exchange


def test_cli_help_names_the_knobs_and_bad_spans_are_refused(capsys):
    from engine.cli import main
    with pytest.raises(SystemExit) as ok:
        main(["bench", "faults", "--help"])
    assert ok.value.code == 0
    text = capsys.readouterr().out
    assert all(flag in text for flag in ("--json", "--faults", "--seed", "--duration-s", "--bots", "--quick"))
    with pytest.raises(SystemExit) as bad:
        main(["bench", "faults", "--session-s", "9,3"])
    assert bad.value.code == 2 and "--session-s" in capsys.readouterr().err
