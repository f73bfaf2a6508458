"""Switches that declare their inputs run only when one changed, and trip exactly as when run every time."""
import random

import registry

from components.killswitch.memory import Memory
from components.types import metric_names as MN
from components.types.metric_names import per_market
from components.types.metrics import Metrics
from engine.risk import RiskManager

MARKETS = ["KRW-BTC", "KRW-ETH"]
SW = {"daily_loss": {"component": "daily_loss", "loss_pct": 3},
      "max_drawdown": {"component": "max_drawdown", "drawdown_pct": 4},
      "consecutive_losses": {"component": "consecutive_losses", "max_losses": 2},
      "streak_pause": {"component": "consecutive_losses", "max_losses": 3, "action": "pause", "seconds": 120},
      "random_walk_regime": {"component": "random_walk_regime"},
      "api_error_rate": {"component": "api_error_rate", "min_calls": 5},
      "calibration_error": {"component": "calibration_error", "min_samples": 3},
      "position_concentration": {"component": "position_concentration", "max_share": 0.4},
      "exposure_leverage": {"component": "exposure_leverage", "max_ratio": 0.6},
      "zombie_orders": {"component": "zombie_orders", "action": "cancel_all"},
      "inference_latency": {"component": "inference_latency", "max_ms": 50},
      "memory": {"component": "memory", "limit_mb": 100},
      "store_errors": {"component": "store_errors"},
      "sim_real_gap": {"component": "sim_real_gap"},
      "stale_data": {"component": "stale_data", "max_age_s": 90},
      "ticker_book_mismatch": {"component": "ticker_book_mismatch", "max_gap_pct": 0.5},
      "balance_watchdog": {"component": "balance_watchdog", "drop_pct": 3, "window_s": 600}}
T0 = 1_756_684_800_000


def _pick(rng, *choices):
    return choices[rng.randrange(len(choices))]


def _replay(reuse: bool, seed: int, steps: int = 600):
    """Feed the same random (often repeating) metrics/account path; record every evaluation's outcome."""
    rng = random.Random(seed)
    rm = RiskManager(switches=SW, markets=MARKETS)
    rm.reuse_verdicts = reuse
    met, calls, out = Metrics(), [0], []
    for sw in rm.switches.values():
        orig = sw.check_all

        def counted(*a, _orig=orig):
            calls[0] += 1
            return _orig(*a)
        sw.check_all = counted
    equity, held, orders = 1_000_000.0, {}, 0.0
    for i in range(steps):
        ts = T0 + i * 60_000
        if rng.random() < 0.2:                 # each account input moves on its own
            equity *= 1 + rng.uniform(-0.02, 0.015)
        if rng.random() < 0.1:
            held = _pick(rng, {}, {"KRW-BTC": 300_000.0}, {"KRW-BTC": 500_000.0, "KRW-ETH": 200_000.0})
        if rng.random() < 0.1:
            orders = _pick(rng, 0.0, 250_000.0)
        if rng.random() < 0.5:
            rm.on_account(ts, equity_krw=equity, cash_krw=equity - sum(held.values()), positions_krw=held,
                          open_orders_krw=orders)
        if rng.random() < 0.1:
            rm.on_trade_closed("KRW-BTC", ts, _pick(rng, -10.0, 5.0))
        for m in MARKETS:
            if rng.random() < 0.3:
                met.set(per_market(MN.HURST, m), _pick(rng, 0.3, 0.5, 0.7, float("nan")))
            if rng.random() < 0.2:
                met.set(per_market(MN.LAST_TRADE_PRICE, m), _pick(rng, 100.0, 101.0))
            if rng.random() < 0.2:
                met.set(per_market(MN.BOOK_MID_PRICE, m), _pick(rng, 100.2, 100.9))
            if rng.random() < 0.5:
                met.set(per_market(MN.LAST_EVENT_TS_MS, m), ts)
        for name, vals in ((MN.API_ERROR_RATE, (0.0, 0.5)), (MN.API_CALLS, (2, 10)),
                           (MN.CALIBRATION_ECE, (0.01, 0.4)), (MN.CALIBRATION_SAMPLES, (1, 50)),
                           (MN.ZOMBIE_ORDERS, (0, 3)), (MN.INFERENCE_LATENCY_MS, (5, 80)),
                           (MN.MEMORY_RSS_MB, (50, 150)), (MN.STORE_ERRORS, (0, 2)), (MN.SIM_REAL_GAP_PCT, (1, 30))):
            if rng.random() < 0.1:
                met.set(name, _pick(rng, *vals))
        new = rm.evaluate(met, ts)
        out.append(([(t.switch, t.action, t.market, t.reason, t.seconds, t.factor) for t in new],
                    sorted((k, a.started_ms, a.until_ms, tuple(sorted(a.values.items())))
                           for k, a in rm.trips.items()), rm.state))
    return out, calls[0]


def test_reused_verdicts_trip_at_the_same_data_times_as_running_every_switch():
    for seed in range(4):
        fresh, fresh_calls = _replay(False, seed)
        reused, reused_calls = _replay(True, seed)
        assert reused == fresh
        assert any(new for new, _, _ in fresh)              # the path does trip, clear and re-trip switches
        assert reused_calls < fresh_calls * 0.7             # and most unchanged switches were not run


def test_a_subclass_that_reads_more_is_run_every_time():
    class Reads(Memory):
        component_name = "memory"
    sw = Reads(Memory.Params())
    assert Memory(Memory.Params()).input_spec(("KRW-BTC",)) == ((MN.MEMORY_RSS_MB,), ())
    assert sw.input_spec(("KRW-BTC",)) is None


def test_market_inputs_follow_the_market_set():
    rm = RiskManager(switches={"rw": {"component": "random_walk_regime"}}, markets=["KRW-BTC"])
    met = Metrics({per_market(MN.HURST, "KRW-BTC"): 0.5, per_market(MN.HURST, "KRW-ETH"): 0.5})
    assert [t.market for t in rm.evaluate(met, T0)] == ["KRW-BTC"]
    rm.on_account(T0 + 1, equity_krw=1e6, positions_krw={"KRW-ETH": 10_000.0})   # a held market joins
    assert [t.market for t in rm.evaluate(met, T0 + 2)] == ["KRW-ETH"]


def test_a_switch_added_later_is_evaluated():
    rm = RiskManager(switches={"mem": {"component": "memory", "limit_mb": 100}}, markets=["KRW-BTC"])
    met = Metrics({MN.MEMORY_RSS_MB: 50.0, MN.ZOMBIE_ORDERS: 3.0})
    assert rm.evaluate(met, T0) == []
    rm.switches["zombies"] = registry.build("killswitch", {"component": "zombie_orders", "max_orders": 0}, path="killswitches")
    assert [t.switch for t in rm.evaluate(met, T0 + 1)] == ["zombies"]


def _both(steps):
    """Run `steps(rm)` on a manager that reuses verdicts and on one that runs every switch; both outcomes."""
    out = []
    for reuse in (True, False):
        rm = RiskManager(switches={"daily": {"component": "daily_loss", "loss_pct": 3},
                                   "rw": {"component": "random_walk_regime"}}, markets=["KRW-BTC"])
        rm.reuse_verdicts = reuse
        out.append(steps(rm))
    return out


def test_a_kept_verdict_never_lends_its_clock_to_a_new_trip():
    day = 86_400_000

    def steps(rm):
        rm.on_account(T0, equity_krw=1_000_000.0)
        rm.on_account(T0 + 60_000, equity_krw=900_000.0)
        first = [(t.switch, t.seconds) for t in rm.evaluate(Metrics(), T0 + 60_000)]
        # the trip ends with the day; the inputs did not move (no new valuation): the switch trips anew,
        # lasting until the end of this day, not as long as the first trip did
        again = [(t.switch, t.seconds) for t in rm.evaluate(Metrics(), T0 + day + 3_600_000)]
        return first, again, [(a.switch, a.until_ms) for a in rm.trips.values()]
    reused, fresh = _both(steps)
    assert reused == fresh
    assert reused[2] == [("daily", T0 + 2 * day)]


def test_a_held_trip_cleared_by_hand_trips_anew_with_the_current_values():
    key = per_market(MN.HURST, "KRW-BTC")

    def steps(rm):
        met = Metrics({key: 0.5})
        assert [t.switch for t in rm.evaluate(met, T0)] == ["rw"]
        met.set(key, 0.52)                     # still in the band: the trip in force is handed back
        assert rm.evaluate(met, T0 + 60_000) == []
        rm.clear("rw", T0 + 90_000)
        new = rm.evaluate(met, T0 + 120_000)
        return [(t.switch, t.values) for t in new], [a.values for a in rm.trips.values()]
    reused, fresh = _both(steps)
    assert reused == fresh
    assert reused[0] == [("rw", {"hurst": 0.52, "low": 0.45, "high": 0.58})]
