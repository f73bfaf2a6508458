"""RiskManager: trips -> ACTIVE/REDUCING/HALTED with expiry, entry limits as decision reasons, exits in order."""
import pytest
from hypothesis import given, strategies as st

from components.types.metric_names import HURST, INFERENCE_LATENCY_MS, ZOMBIE_ORDERS, per_market
from components.types.metrics import Metrics
from components.types.costs import UPBIT_FEE_RATE as FEE_RATE_KRW
from components.types.orders import Fill, Position
from components.types.risk import ExitContext
from engine.risk import RiskManager, TradingState
from engine.settings import Limits

LIMITS = Limits(cooldown_s=30, max_open_positions=5, max_market_share=0.30)
SW = {"daily_loss": {"component": "daily_loss", "loss_pct": 8},
      "max_drawdown": {"component": "max_drawdown", "drawdown_pct": 20},
      "api_pause": {"component": "api_error_rate", "max_rate": 0.05, "min_calls": 1},
      "zombie_orders": {"component": "zombie_orders"},
      "random_walk_regime": {"component": "random_walk_regime"},
      "inference_latency": {"component": "inference_latency"}}
EXITS = {"hard_stop": {"component": "hard_stop", "loss_pct": 0.8},
         "ev_trail": {"component": "ev_trail"},
         "time_stop": {"component": "time_stop", "is_stop": False},
         "profit_target": {"component": "profit_target"},
         "fee_floor": {"component": "fee_floor"}}
T0 = 1_756_684_800_000          # 2025-09-01 00:00 UTC


def manager(**kw):
    args = dict(sizing={"component": "confidence_proportional"}, exits=EXITS, switches=SW, limits=LIMITS,
                markets=["KRW-BTC", "KRW-ETH"])
    args.update(kw)
    return RiskManager(**args)


def test_daily_loss_blocks_entries_until_day_end():
    rm = manager()
    rm.on_account(T0, 1e6, 1e6, {})
    assert rm.evaluate(Metrics(), T0) == [] and rm.state is TradingState.ACTIVE
    rm.on_account(T0 + 3_600_000, 910_000, 910_000, {})
    (trip,) = rm.evaluate(Metrics(), T0 + 3_600_000)
    assert trip.switch == "daily_loss" and trip.action == "block_entries"
    assert trip.reason == "daily loss 9.00% (limit 8.00%): no new entries for the rest of the day"
    assert rm.state is TradingState.REDUCING
    d = rm.check_entry("KRW-BTC", T0 + 3_700_000, 0.9, 910_000)
    assert not d.allowed and d.reasons == ["killswitch.block_entries: daily_loss"]
    rm.on_account(T0 + 7_200_000, 1e6, 1e6, {})                      # recovered, still the same day
    assert rm.evaluate(Metrics(), T0 + 7_200_000) == [] and rm.state is TradingState.REDUCING
    assert rm.state_at(T0 + 86_400_000) is TradingState.ACTIVE        # next day: expired
    assert rm.check_entry("KRW-BTC", T0 + 86_400_000, 0.9, 1e6).allowed


def test_pause_halts_until_expiry_and_halt_latches():
    rm = manager()
    rm.on_account(T0, 1e6, 1e6, {})
    rm.evaluate(Metrics({"api_error_rate": 0.2, "api_calls": 50}), T0)
    assert rm.state is TradingState.HALTED
    assert rm.check_entry("KRW-BTC", T0 + 1000, 0.9, 1e6).reasons == ["state.halted: api_pause"]
    assert rm.state_at(T0 + 1_799_999) is TradingState.HALTED
    assert rm.state_at(T0 + 1_800_000) is TradingState.ACTIVE
    rm.on_account(T0 + 2_000_000, 790_000, 790_000, {})
    trips = {t.switch: t for t in rm.evaluate(Metrics(), T0 + 2_000_000)}
    assert set(trips) == {"max_drawdown", "daily_loss"}               # -21 % is also a daily loss
    assert trips["max_drawdown"].action == "halt" and rm.state is TradingState.HALTED
    rm.on_account(T0 + 3_000_000, 1e6, 1e6, {})
    rm.evaluate(Metrics(), T0 + 3_000_000)
    assert rm.state_at(T0 + 10 * 86_400_000) is TradingState.HALTED    # latched: no expiry
    assert rm.clear("max_drawdown", T0 + 3_100_000) == 1 and rm.state is TradingState.ACTIVE


def test_level_trips_follow_the_signal_and_market_scope():
    rm = manager()
    rm.on_account(T0, 1e6, 1e6, {})
    m = Metrics({per_market(HURST, "KRW-BTC"): 0.5, INFERENCE_LATENCY_MS: 25.0})
    new = rm.evaluate(m, T0)
    assert {t.switch for t in new} == {"random_walk_regime", "inference_latency"}
    assert rm.state is TradingState.REDUCING                           # scale_size is account-wide
    assert rm.evaluate(m, T0 + 1000) == []                             # still in force: not new
    d_btc = rm.check_entry("KRW-BTC", T0 + 1000, 0.85, 1e6)
    assert not d_btc.allowed and d_btc.reasons == ["killswitch.block_entries: random_walk_regime KRW-BTC"]
    d_eth = rm.check_entry("KRW-ETH", T0 + 1000, 0.85, 1e6)
    # 0.85 x 1e6 = 850,000 x 0.5 (latency) = 425,000 -> clipped to 30 % of equity
    assert d_eth.allowed and d_eth.size_factor == 0.5 and d_eth.size_krw == 300_000
    assert d_eth.reasons == ["size_factor: 0.5", "limit.market_share.clipped: 425000 -> 300000"]
    rm.evaluate(Metrics({per_market(HURST, "KRW-BTC"): 0.7, INFERENCE_LATENCY_MS: 2.0}), T0 + 2000)
    assert rm.state is TradingState.ACTIVE and rm.active_trips() == []


def test_cancel_all_is_returned_once_and_does_not_block():
    rm = manager()
    rm.on_account(T0, 1e6, 1e6, {})
    (trip,) = rm.evaluate(Metrics({ZOMBIE_ORDERS: 9}), T0)
    assert trip.action == "cancel_all" and rm.state is TradingState.ACTIVE
    assert rm.evaluate(Metrics({ZOMBIE_ORDERS: 9}), T0 + 1000) == []
    assert rm.check_entry("KRW-BTC", T0 + 1000, 0.85, 1e6).allowed


def test_limits_cooldown_open_positions_market_share():
    rm = manager(switches={})
    held = {f"KRW-C{i}": 50_000.0 for i in range(5)}
    rm.on_account(T0, 1e6, 750_000, held)
    d = rm.check_entry("KRW-BTC", T0, 0.85, 750_000)
    assert not d.allowed and d.reasons == ["limit.max_open_positions: 5 >= 5"]
    assert rm.check_entry("KRW-C0", T0, 0.85, 750_000).allowed           # adding to a held market is not a 6th
    rm.on_account(T0, 1e6, 1e6, {"KRW-BTC": 298_000.0})
    d = rm.check_entry("KRW-BTC", T0, 0.85, 702_000)
    assert not d.allowed and d.reasons == ["limit.market_share: room 2000 KRW < 5000"]
    rm.on_account(T0, 1e6, 1e6, {})
    rm.on_entry("KRW-ETH", T0)
    d = rm.check_entry("KRW-ETH", T0 + 29_000, 0.85, 1e6)
    assert not d.allowed and d.reasons == ["limit.cooldown: 29.0s < 30s"]
    assert rm.check_entry("KRW-ETH", T0 + 30_000, 0.85, 1e6).allowed
    d = rm.check_entry("KRW-XRP", T0, 0.55, 1e6)
    assert not d.allowed and d.reasons[0].startswith("sizing.zero: confidence 0.550")


def test_losing_streak_and_kelly_are_fed_by_closed_trades():
    rm = manager(sizing={"component": "adaptive_kelly", "refit_every_trades": 2, "initial_fraction": 0.1},
                 switches={"streak": {"component": "consecutive_losses", "max_losses": 3}})
    for i in range(3):
        rm.on_trade_closed("KRW-BTC", T0 + i, net_krw=-10.0, net_return=-0.001)
    assert rm.snapshot.consecutive_losses == 3
    assert rm.sizing.fraction == pytest.approx(0.9 * 0.1)   # one refit (2nd trade), all losses: f* = 0
    (trip,) = rm.evaluate(Metrics(), T0 + 10)
    assert trip.action == "scale_size" and rm.size_factor(T0 + 10) == 0.5
    rm.on_trade_closed("KRW-BTC", T0 + 20, net_krw=5.0, net_return=0.0005)
    assert rm.snapshot.consecutive_losses == 0 and rm.evaluate(Metrics(), T0 + 30) == []
    assert rm.size_factor(T0 + 30) == 1.0


def position_at(price, ts):
    pos = Position("KRW-BTC")
    for k in range(2):                      # two partial fills
        vol = 50_000 / price
        pos.apply(Fill("KRW-BTC", "o", "bid", price, vol, price * vol * FEE_RATE_KRW, ts + k))
    return pos


def px(pos, r):
    return (1 + r) * pos.cost_krw / (pos.volume * (1 - FEE_RATE_KRW))


def test_exit_priority_fee_floor_and_flatten():
    rm = manager()
    pos = position_at(100_000_000.0, T0)
    # 6 minutes in and -1 %: both hard_stop and time_stop fire; hard_stop comes first in config order
    assert rm.check_exit(pos, px(pos, -0.01), T0 + 360_000).reason == "hard_stop"
    # -0.3 % after 6 minutes: time_stop (configured non-stop here) is vetoed by fee_floor -> no exit
    assert rm.check_exit(pos, px(pos, -0.003), T0 + 360_000) is None
    # +0.8 %: profit target (ev_trail not armed at the peak)
    sig = rm.check_exit(pos, px(pos, 0.008), T0 + 1000, ExitContext())
    assert sig.reason == "profit_target" and pos.peak_return == pytest.approx(0.008)
    # after that peak, +0.5 %: pullback 0.3 % > half of 0.5 % -> ev_trail
    assert rm.check_exit(pos, px(pos, 0.005), T0 + 2000).reason == "ev_trail"
    flat = manager(switches={"dd": {"component": "max_drawdown", "drawdown_pct": 5, "action": "flatten"}})
    flat.on_account(T0, 1e6, 1e6, {})
    flat.on_account(T0 + 1, 9e5, 9e5, {})
    flat.evaluate(Metrics(), T0 + 1)
    sig = flat.check_exit(pos, px(pos, 0.001), T0 + 2)
    assert sig.reason == "killswitch:dd" and sig.is_stop


@given(st.lists(st.floats(0.5, 1.5), min_size=1, max_size=40))
def test_state_follows_latched_halt_and_timed_block(path):
    """Equity path within one day: HALTED once 10 % under the running peak (latched); else REDUCING once
    3 % under the day's first equity (lasts the day); else ACTIVE — computed without the manager."""
    rm = manager(switches={"dd": {"component": "max_drawdown", "drawdown_pct": 10},
                           "day": {"component": "daily_loss", "loss_pct": 3}})
    peak, halted, blocked = -1.0, False, False
    for i, x in enumerate(path):
        eq = 1e6 * x
        rm.on_account(T0 + i * 1000, eq, eq, {})
        rm.evaluate(Metrics(), T0 + i * 1000)
        peak = max(peak, eq)
        halted |= eq <= peak * 0.9
        blocked |= eq <= 1e6 * path[0] * 0.97
        want = TradingState.HALTED if halted else TradingState.REDUCING if blocked else TradingState.ACTIVE
        assert rm.state is want


def test_trips_are_alerted_once_and_a_broken_channel_never_stops_risk(tmp_path, monkeypatch):
    import json
    path = tmp_path / "alerts.jsonl"
    monkeypatch.delenv("SCALP_NO_SUCH_HOOK", raising=False)
    rm = manager(alerts={"log": {"component": "log", "path": str(path)},
                         "hook": {"component": "webhook", "url_env": "SCALP_NO_SUCH_HOOK"}})
    rm.on_account(T0, 1e6, 1e6, {})
    rm.on_account(T0 + 1, 7.9e5, 7.9e5, {})
    rm.evaluate(Metrics(), T0 + 1)
    rm.evaluate(Metrics(), T0 + 2)                                     # still in force: no second alert
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert sorted(x["switch"] for x in lines) == ["daily_loss", "max_drawdown"]
    dd = next(x for x in lines if x["switch"] == "max_drawdown")
    assert dd["level"] == "critical" and dd["message"].startswith("kill switch max_drawdown -> halt: drawdown")


def test_entries_sent_in_the_same_tick_count_against_max_open_positions():
    rm = manager(switches={}, limits=Limits(**{**LIMITS.model_dump(), "max_open_positions": 2}))
    rm.on_account(T0, 1e6, 1e6, {})
    assert rm.check_entry("KRW-A", T0, 0.85, 1e6).allowed
    rm.on_entry("KRW-A", T0)
    assert rm.check_entry("KRW-B", T0, 0.85, 1e6).allowed
    rm.on_entry("KRW-B", T0)
    d = rm.check_entry("KRW-C", T0, 0.85, 1e6)                      # account not revalued yet
    assert not d.allowed and d.reasons == ["limit.max_open_positions: 2 >= 2"]
    rm.on_account(T0 + 1000, 1e6, 4e5, {"KRW-A": 3e5})              # B's order never filled
    assert not rm.check_entry("KRW-C", T0 + 1000, 0.85, 4e5).allowed
    assert rm.check_entry("KRW-C", T0 + 31_000, 0.85, 4e5).allowed   # B's slot frees after one cooldown
