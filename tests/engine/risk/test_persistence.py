"""Trips and risk state survive a restart: trip, rebuild the risk manager from the same store, still tripped
until expiry (SQLite persistence owned by RISK, and the DATA store through its adapter)."""
import pytest

import registry
from components.types.metrics import Metrics
from engine.risk import RiskManager, SqliteRiskPersistence, TradingState
from engine.risk.store_adapter import StoreRiskPersistence

T0 = 1_756_684_800_000 + 3_600_000        # 2025-09-01 01:00 UTC
SW = {"daily_loss": {"component": "daily_loss", "loss_pct": 5, "action": "halt"},
      "max_drawdown": {"component": "max_drawdown", "drawdown_pct": 10},
      "api_error_rate": {"component": "api_error_rate", "min_calls": 1},
      "hurst": {"component": "random_walk_regime"}}
SIZING = {"component": "adaptive_kelly", "refit_every_trades": 2}


@pytest.fixture(params=["sqlite", "store"])
def open_store(request, tmp_path):
    opened = []

    def make():
        if request.param == "sqlite":
            p = SqliteRiskPersistence(tmp_path / "risk.db")
        else:
            import components.store.sqlite  # noqa: F401
            store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
            opened.append(store)
            p = StoreRiskPersistence(store, namespace="paper", state_every_ms=0)
        return p
    yield make
    for s in opened:
        s.close()


def manager(persistence):
    return RiskManager(sizing=SIZING, switches=SW, markets=["KRW-BTC"], persistence=persistence)


def test_trip_survives_restart_until_expiry(open_store):
    rm = manager(open_store())
    rm.on_account(T0, 1e6, 1e6, {})
    rm.on_trade_closed("KRW-BTC", T0, -100.0, -0.002)
    rm.on_trade_closed("KRW-BTC", T0 + 1, 300.0, 0.004)
    rm.on_account(T0 + 60_000, 940_000, 940_000, {})
    trips = rm.evaluate(Metrics({"api_error_rate": 0.5, "api_calls": 10}), T0 + 60_000)
    assert {t.switch for t in trips} == {"daily_loss", "api_error_rate"}
    assert rm.state is TradingState.HALTED
    kelly = rm.sizing.fraction

    again = manager(open_store())                       # "restart": new objects, same store
    assert again.state is TradingState.HALTED
    assert {t.switch for t in again.active_trips()} == {"daily_loss", "api_error_rate"}
    assert again.snapshot.peak_equity_krw == 1e6 and again.snapshot.day_start_equity_krw == 1e6
    assert again.sizing.fraction == kelly and again.last_trade_ms == {"KRW-BTC": T0 + 1}
    d = again.check_entry("KRW-BTC", T0 + 120_000, 0.9, 940_000)
    assert not d.allowed and d.reasons == ["state.halted: api_error_rate, daily_loss"]
    # the pause ends 30 min after the trip; the daily halt at the end of the UTC day
    assert again.state_at(T0 + 60_000 + 1_800_000) is TradingState.HALTED
    assert {t.switch for t in again.active_trips()} == {"daily_loss"}
    next_day = T0 - 3_600_000 + 86_400_000
    assert again.state_at(next_day) is TradingState.ACTIVE

    third = manager(open_store())                       # expiries were written: nothing comes back
    assert third.active_trips(next_day) == [] and third.state_at(next_day) is TradingState.ACTIVE


def test_latched_halt_survives_until_cleared_and_level_trip_clears(open_store):
    from components.types.metric_names import HURST, per_market
    rm = manager(open_store())
    rm.on_account(T0, 1e6, 1e6, {})
    rm.on_account(T0 + 1000, 960_000, 960_000, {})
    rm.evaluate(Metrics({per_market(HURST, "KRW-BTC"): 0.5}), T0 + 1000)
    rm.on_account(T0 + 2000, 1e6, 1e6, {})
    rm.on_account(T0 + 3000, 890_000, 890_000, {})
    rm.evaluate(Metrics({per_market(HURST, "KRW-BTC"): 0.5}), T0 + 3000)
    assert {(t.switch, t.market) for t in rm.active_trips()} >= {("max_drawdown", ""), ("hurst", "KRW-BTC")}

    again = manager(open_store())
    again.on_account(T0 + 4000, 890_000, 890_000, {})
    again.evaluate(Metrics({per_market(HURST, "KRW-BTC"): 0.7}), 10 * 86_400_000 + T0)
    keys = {(t.switch, t.market) for t in again.active_trips()}
    assert ("max_drawdown", "") in keys and ("hurst", "KRW-BTC") not in keys     # latched vs level
    assert again.state is TradingState.HALTED
    again.clear("max_drawdown", T0 + 11 * 86_400_000)
    assert manager(open_store()).active_trips(T0 + 11 * 86_400_000) == []


def test_backtest_trips_never_leak_into_another_namespace(tmp_path):
    import components.store.sqlite  # noqa: F401
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    try:
        bt = RiskManager(switches=SW, persistence=StoreRiskPersistence(store, namespace="backtest"))
        bt.on_account(T0, 1e6, 1e6, {})
        bt.on_account(T0 + 1, 8e5, 8e5, {})
        bt.evaluate(Metrics(), T0 + 1)
        assert bt.state is TradingState.HALTED
        assert store.load_active_trips(T0 + 2)                     # written to the shared trips table
        live = RiskManager(switches=SW, persistence=StoreRiskPersistence(store, namespace="live"))
        assert live.state is TradingState.ACTIVE and live.active_trips() == []
    finally:
        store.close()


def test_from_config_with_store_restores_live_trips_but_scopes_backtests(tmp_path):
    from omegaconf import OmegaConf
    import components.store.sqlite  # noqa: F401
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "s.db")}, path="store")
    try:
        runs = [store.start_run(f"bt{i}", {}, mode="backtest") for i in range(2)]
        for mode, run_id, survives in (("paper", None, True), ("backtest", runs[0], False)):
            cfg = OmegaConf.create({"mode": mode, "killswitches": SW, "markets": ["KRW-BTC"]})
            rm = RiskManager.from_config(cfg, store=store, run_id=run_id)
            rm.on_account(T0, 1e6, 1e6, {})
            rm.on_account(T0 + 1, 8e5, 8e5, {})
            rm.evaluate(Metrics(), T0 + 1)
            assert rm.state is TradingState.HALTED
            # the same mode restarts halted; a new backtest run (another run id) starts clean
            again = RiskManager.from_config(cfg, store=store, run_id=run_id if survives else runs[1])
            assert (again.state is TradingState.HALTED) is survives
    finally:
        store.close()
