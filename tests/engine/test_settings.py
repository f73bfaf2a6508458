"""The engine's own config nodes are strict typed models: validate names every bad value, consumers take the models."""
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

import registry
from engine.cli import main
from engine.i18n import set_lang
from engine.settings import GROUPS, Limits, LiveSettings, OrderSettings, Settings, WalkForwardParams, job_start, \
    settings_of

ROOT = Path(__file__).resolve().parents[2]
MIN_CFG = {"markets": ["KRW-BTC"]}


def validate(capsys, *overrides, lang="en"):
    rc = main(["validate", *overrides, f"ui.lang={lang}"])
    got = capsys.readouterr()
    assert rc == 0 or not got.out.strip(), got.out          # problems go to stderr, never stdout
    return rc, got.err.splitlines()


@pytest.mark.parametrize("override,line", [
    ("orders.entry_type=limt", "orders.entry_type  Input should be 'market' or 'limit'"),
    ("orders.exit_type=stop", "orders.exit_type  Input should be 'market' or 'limit'"),
    ("orders.ttl_ms=soon", "orders.ttl_ms  Input should be a valid integer"),
    ("orders.ttl_ms=-1", "orders.ttl_ms  Input should be greater than or equal to 0"),
    ("orders.poll_interval_ms=-5", "orders.poll_interval_ms  Input should be greater than or equal to 0"),
    ("live.poll_interval_s=fast", "live.poll_interval_s  Input should be a valid number"),
    ("live.shutdown_timeout_s=abc", "live.shutdown_timeout_s  Input should be a valid number"),
    ("live.watchdog_interval_s=0", "live.watchdog_interval_s  Input should be greater than 0"),
    ("live.sweep_on_start=maybe", "live.sweep_on_start  Input should be a valid boolean"),
    ("live.refuse_cautions=[PRICE_DIFFERENCES]", "live.refuse_cautions.0  Input should be 'PRICE_FLUCTUATIONS'"),
    ("walkforward.folds=0", "walkforward.folds  Input should be greater than or equal to 1"),
    ("limits.max_market_share=2", "limits.max_market_share  Input should be less than or equal to 1"),
    ("initial_krw=inf", "initial_krw  Input should be a finite number"),
    ("initial_krw=1000", "initial_krw  Input should be greater than or equal to 5000"),
    ("markets=[KRW-BTC,KRW-ETH,KRW-BTC]", "markets  'KRW-BTC' is listed more than once"),
    ("+orders.tll_ms=5", "orders.tll_ms  unknown key; known: entry_type, exit_type, limit_first, max_slippage_bps, "
                         "min_order_krw"),
])
def test_validate_names_each_bad_setting(capsys, override, line):
    rc, lines = validate(capsys, override)
    assert rc == 2
    assert any(ln.startswith(line) for ln in lines), lines
    assert lines[-1] == "1 problems; nothing was started."


def test_every_problem_is_listed_at_once(capsys):
    bad = ["orders.entry_type=limt", "orders.ttl_ms=soon", "live.poll_interval_s=fast", "walkforward.folds=0",
           "limits.max_market_share=2", "initial_krw=inf", "live.shutdown_timeout_s=abc"]
    rc, lines = validate(capsys, *bad)
    assert rc == 2
    named = {ln.split("  ", 1)[0] for ln in lines[:-1]}
    assert named == {o.split("=", 1)[0] for o in bad}
    assert lines[-1] == f"{len(bad)} problems; nothing was started."


def test_messages_follow_ui_lang(capsys):
    rc, lines = validate(capsys, "orders.ttl_ms=soon", lang="ko")
    set_lang("en")
    assert rc == 2 and lines[0].startswith("orders.ttl_ms  정수여야 합니다")


def test_defaults_equal_the_shipped_config():
    # conf/config.yaml documents these nodes; a model default drifting from it would be a silent change
    root = yaml.safe_load((ROOT / "conf" / "config.yaml").read_text())
    s = Settings(markets=["KRW-BTC"])
    for key, model in (("orders", s.orders), ("live", s.live), ("limits", s.limits), ("ui", s.ui)):
        for field, value in root[key].items():
            got = getattr(model, field)
            got = got.model_dump() if hasattr(got, "model_dump") else got      # nested nodes (live.gates)
            assert got == value, f"{key}.{field}"
    for field in ("mode", "seed", "market_class", "decision_interval_ms", "initial_krw"):
        assert getattr(s, field) == root[field], field


def test_shipped_config_has_no_unmodelled_root_key():
    root = yaml.safe_load((ROOT / "conf" / "config.yaml").read_text())
    assert set(root) - {"defaults"} <= set(Settings.model_fields) | set(GROUPS)


def test_from_cfg_takes_omegaconf_or_plain_and_is_frozen():
    node = {"markets": ["KRW-ETH"], "orders": {"entry_type": "limit", "ttl_ms": 5000}, "exits": {"x": {}}}
    a, b = Settings.from_cfg(node), Settings.from_cfg(OmegaConf.create(node))
    assert a == b and a.orders.entry_type == "limit" and a.orders.ttl_ms == 5000
    with pytest.raises(Exception):
        a.orders.ttl_ms = 1          # frozen: a parsed setting cannot drift during a run


def test_from_cfg_raises_every_problem_with_dotted_paths():
    with pytest.raises(registry.ConfigError) as e:
        Settings.from_cfg({"markets": ["BTC"], "live": {"poll_interval_s": -1}, "walkforward": {"folds": 0},
                           "limits": {"cooldown_s": float("nan")}})
    assert [p for p, _ in e.value.problems] == ["markets", "limits.cooldown_s", "live.poll_interval_s",
                                                "walkforward.folds"]


def test_settings_are_parsed_once_per_job(monkeypatch):
    cfg = OmegaConf.create({**MIN_CFG, "orders": {"ttl_ms": 1234}})
    parsed = job_start(cfg)
    calls = []
    monkeypatch.setattr(Settings, "from_cfg", classmethod(lambda cls, c: calls.append(c)))
    assert settings_of(cfg) is parsed and calls == []
    settings_of(OmegaConf.create(MIN_CFG))   # a config built without a job start is parsed on demand
    assert len(calls) == 1


def test_hydra_job_hands_down_settings_parsed_at_start(monkeypatch, tmp_path):
    from engine.app import hydra_command
    seen = []

    def job(cfg):
        seen.append((settings_of(cfg), settings_of(cfg)))
        return 0
    rc = hydra_command("settings_test", ["ui.lang=en", "orders.ttl_ms=1234", f"hydra.run.dir={tmp_path}"], job)
    assert rc == 0
    first, second = seen[0]
    assert first is second and first.orders.ttl_ms == 1234


def test_order_manager_refuses_an_untyped_mapping():
    from engine.order_manager import OrderManager
    with pytest.raises(TypeError, match="OrderSettings"):
        OrderManager(object(), {"ttl_ms": 5000})
    assert OrderManager(object(), OrderSettings(ttl_ms=5000)).s.ttl_ms == 5000


def test_risk_manager_takes_typed_limits_only():
    from engine.risk import RiskManager
    with pytest.raises(TypeError, match="Limits"):
        RiskManager(switches={}, limits={"cooldown_s": 5})
    rm = RiskManager(switches={}, limits=Limits(cooldown_s=5, max_open_positions=2))
    assert (rm.cooldown_ms, rm.max_open_positions) == (5000, 2)


def test_risk_manager_from_config_reads_the_validated_limits():
    from engine.risk import RiskManager
    rm = RiskManager.from_config(OmegaConf.create({**MIN_CFG, "killswitches": {}, "limits": {"cooldown_s": 7}}))
    assert rm.cooldown_ms == 7000
    with pytest.raises(registry.ConfigError) as e:
        RiskManager.from_config(OmegaConf.create({**MIN_CFG, "killswitches": {}, "limits": {"cooldown_s": "x"}}))
    assert e.value.problems[0][0] == "limits.cooldown_s"


def test_live_session_refuses_untyped_settings():
    from engine.live.runner import run_session
    with pytest.raises(TypeError, match="LiveSettings"):
        run_session(OmegaConf.create(MIN_CFG), "paper", settings={"poll_interval_s": 0.1})
    assert LiveSettings(poll_interval_s=0.1).poll_interval_s == 0.1


def test_walkforward_params_are_the_root_node_model():
    from engine.walkforward import WalkForwardParams as Imported
    assert Imported is WalkForwardParams
    with pytest.raises(Exception):
        WalkForwardParams(folds=2, bogus=1)


def test_live_refuses_a_minimum_order_below_upbits(monkeypatch):
    from engine.app import compose
    from engine.validate import live_problems
    monkeypatch.setenv("UPBIT_ACCESS_KEY", "a")
    monkeypatch.setenv("UPBIT_SECRET_KEY", "b")
    cfg = compose(["mode=live", "ui.lang=en", "+orders.min_order_krw=100"])
    assert ("orders.min_order_krw", "cannot be below Upbit's minimum order of 5,000 KRW in live mode") \
        in live_problems(cfg)
    assert not [p for p in live_problems(compose(["mode=live", "ui.lang=en"])) if p[0] == "orders.min_order_krw"]
