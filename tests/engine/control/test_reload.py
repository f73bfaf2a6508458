"""Hot reload: the declared safe subset, validation by dotted path, and the new values reaching the risk manager."""
import os
import signal
import threading
from types import SimpleNamespace

import pytest

import registry
from components.types.metrics import Metrics
from engine.control import signals
from engine.control.hook import ControlHook, reloads
from engine.control.reload import Reloader, apply
from engine.control.safe import flatten, is_safe

T0 = 1_756_684_800_000          # 2025-09-01 00:00 UTC


@pytest.fixture(scope="module")
def base():
    from engine.app import compose, job_config
    from engine.conf import plain
    registry.load_all()
    return plain(job_config(compose(["ui.lang=en", "mode=paper", "feed=upbit_ws", "towers=[random_entry]"])))


def test_safe_subset_is_the_declared_patterns():
    assert is_safe("killswitches.daily_loss.loss_pct") and is_safe("killswitches.stale_data.seconds")
    assert is_safe("limits.cooldown_s") and is_safe("sizing.min_confidence") and is_safe("entry.min_edge_pct")
    for path in ("killswitches.daily_loss.action", "killswitches.daily_loss.component", "sizing.component",
                 "entry.map_path", "feed.url", "exchange.base_url", "markets", "killswitches.a.b.c",
                 "sizing.window_trades"):
        assert not is_safe(path), path
    assert flatten({"killswitches": {"daily_loss": {"loss_pct": 5}}, "limits.cooldown_s": 3}) == {
        "killswitches.daily_loss.loss_pct": 5, "limits.cooldown_s": 3}


@pytest.mark.parametrize("override, path, words", [
    ({"killswitches.daily_loss.loss_pct": -1}, "killswitches.daily_loss.loss_pct", "greater than 0"),
    ({"killswitches.daily_loss.loss_pctt": 3}, "killswitches.daily_loss.loss_pctt", "unknown key"),
    ({"killswitches.nosuch.loss_pct": 3}, "killswitches.nosuch.loss_pct", "no such path"),
    ({"feed.url": "ws://elsewhere"}, "feed.url", "cannot change while running"),
    ({"killswitches.daily_loss.action": "halt"}, "killswitches.daily_loss.action", "cannot change"),
    ({"limits": {"max_open_positions": 0}}, "limits.max_open_positions", "greater than or equal to 1"),
])
def test_a_bad_override_is_refused_by_its_dotted_path(base, override, path, words):
    r = Reloader(base)
    out, _ = r.propose({"limits.cooldown_s": 5, **override})      # one bad path refuses the whole file
    assert not out.accepted and out.changes == {}
    assert [p for p, _ in out.problems] == [path] and words in out.problems[0][1]
    assert r.current == base


def test_removing_a_line_returns_the_start_value(base):
    r = Reloader(base)
    out, cand = r.propose({"limits.cooldown_s": 5})
    assert out.accepted and out.changes == {"limits.cooldown_s": (base["limits"]["cooldown_s"], 5)}
    r.commit(cand)
    out, _ = r.propose({})
    assert out.accepted and out.changes == {"limits.cooldown_s": (5, base["limits"]["cooldown_s"])}


def _loop(base):
    from omegaconf import OmegaConf

    from engine.risk import RiskManager
    from engine.settings import Settings
    cfg = OmegaConf.create(base)
    s = Settings.from_cfg(cfg)
    entry = registry.build("entry", base["entry"], path="entry")
    return SimpleNamespace(risk=RiskManager.from_config(cfg, settings=s), entry=entry, settings=s)


def test_apply_reaches_the_switch_limits_sizing_and_entry_rule(base):
    loop = _loop(base)
    rm = loop.risk
    rm.on_account(T0, 1e6, 1e6, {})
    assert rm.evaluate(Metrics(), T0) == []
    rm.on_account(T0 + 3_600_000, 950_000, 950_000, {})          # -5 %: under the daily loss and drawdown limits
    assert not [t for t in rm.evaluate(Metrics(), T0 + 3_600_000) if t.switch in ("daily_loss", "max_drawdown")]
    r = Reloader(base)
    out, cand = r.propose({"killswitches.daily_loss.loss_pct": 4, "killswitches.max_drawdown.drawdown_pct": 4,
                           "limits.max_open_positions": 1,
                           "sizing.min_confidence": 0.7, "entry.min_edge_pct": 0.07})
    assert out.accepted, out.problems
    apply(loop, cand, out.changes)
    # the same inputs as the last evaluation: max_drawdown's cached verdict must not survive the new threshold
    trips = {t.switch: t for t in rm.evaluate(Metrics(), T0 + 3_600_001)}
    assert "limit 4.00%" in trips["daily_loss"].reason and "max_drawdown" in trips
    assert rm.max_open_positions == 1 and loop.settings.limits.max_open_positions == 1
    assert rm.sizing.p.min_confidence == 0.7 and loop.entry.p.min_edge_pct == 0.07


def test_sighup_handler_only_raises_the_flag():
    assert threading.current_thread() is threading.main_thread()
    old = signals.install()
    try:
        signals.RELOAD_REQUESTED.clear()
        os.kill(os.getpid(), signal.SIGHUP)                       # would end the process with the default action
        assert signals.RELOAD_REQUESTED.wait(2.0)
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)
        signals.RELOAD_REQUESTED.clear()


def test_hook_applies_and_stores_an_accepted_reload_and_logs_a_refused_one(base, tmp_path, caplog):
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / "c.db")}, path="store")
    rid = store.start_run("t", {}, mode="paper")
    loop = _loop(base)
    f = tmp_path / "override.yaml"
    hook = ControlHook(base, str(f))
    ctx = SimpleNamespace(loop=loop, store=store, run_id=rid, extra={})
    f.write_text("killswitches:\n  daily_loss:\n    loss_pct: 0\n")
    assert not hook.reload(ctx, "file").accepted
    assert any("config_reload_refused" in r.getMessage() and "killswitches.daily_loss.loss_pct" in r.getMessage()
               for r in caplog.records)
    assert loop.risk.switches["daily_loss"].p.loss_pct == 8.0 and reloads(store, rid) == []
    f.write_text("killswitches.daily_loss.loss_pct: 3.5\n")
    assert hook.reload(ctx, "sighup").accepted
    assert loop.risk.switches["daily_loss"].p.loss_pct == 3.5
    (stored,) = reloads(store, rid)
    assert stored["source"] == "sighup" and stored["changes"] == {
        "killswitches.daily_loss.loss_pct": {"old": 8.0, "new": 3.5}}
    store.close()


def test_a_reloaded_limit_reaches_a_switch_that_derives_numbers_from_it(base):
    """balance_watchdog turns drop_pct into a factor once (it runs at every evaluation): a reload must redo it."""
    loop = _loop(base)
    rm = loop.risk
    assert "balance_watchdog" in rm.switches and rm.switches["balance_watchdog"].p.drop_pct == 3.0
    rm.on_account(T0, 1e6, 1e6, {})
    rm.evaluate(Metrics(), T0)
    rm.on_account(T0 + 60_000, 975_000, 975_000, {})                # -2.5 % within the hour: under 3 %
    assert "balance_watchdog" not in {t.switch for t in rm.evaluate(Metrics(), T0 + 60_000)}
    out, cand = Reloader(base).propose({"killswitches.balance_watchdog.drop_pct": 2})
    assert out.accepted, out.problems
    apply(loop, cand, out.changes)
    rm.on_account(T0 + 60_001, 975_000, 975_000, {})
    trips = {t.switch: t for t in rm.evaluate(Metrics(), T0 + 60_001)}
    assert "balance_watchdog" in trips and trips["balance_watchdog"].values["limit_pct"] == 2
