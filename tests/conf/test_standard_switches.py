"""balance_drift belongs to the standard kill-switch set; where nothing reconciles (a backtest) it never trips."""
import pytest

from components.types import metric_names as MN
from components.types.metrics import Metrics
from engine.app import compose, job_config
from engine.risk import RiskManager


@pytest.mark.parametrize("switches", ["standard", "strict"])
def test_balance_drift_in_the_set_once(switches):
    cfg = job_config(compose([f"killswitches={switches}"]))
    assert cfg.killswitches.balance_drift.component == "balance_drift"
    assert cfg.killswitches.balance_drift.action == "halt"
    assert "balance_watchdog" in cfg.killswitches and "store_errors" in cfg.killswitches


def test_balance_drift_trips_only_on_a_published_drift():
    cfg = job_config(compose([]))
    rm = RiskManager.from_config(cfg)
    rm.on_account(1_000, equity_krw=1_000_000, cash_krw=1_000_000)
    assert [t.switch for t in rm.evaluate(Metrics(), 1_000) if t.switch == "balance_drift"] == []   # backtest
    met = Metrics()
    met.set(MN.BALANCE_DRIFT_PCT, 0.5)
    assert [t for t in rm.evaluate(met, 2_000) if t.switch == "balance_drift"] == []
    met.set(MN.BALANCE_DRIFT_PCT, 5.0)
    trips = [t for t in rm.evaluate(met, 3_000) if t.switch == "balance_drift"]
    assert len(trips) == 1 and trips[0].action == "halt" and rm.state.value == "HALTED"
