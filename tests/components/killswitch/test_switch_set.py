"""Every kill switch: registered (>= 18), has its YAML, builds from it, has a ko+en message; the standard
and strict sets compose with Hydra and validate; strict tightens daily loss and the losing streak."""
import importlib
import pkgutil
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

import components.killswitch as pkg
import registry
from engine.i18n import catalog

CONF = Path(__file__).resolve().parents[3] / "conf"
DESIGN_SWITCHES = {"daily_loss", "max_drawdown", "consecutive_losses", "random_walk_regime", "api_error_rate",
                   "calibration_error", "position_concentration", "exposure_leverage", "spread_surge",
                   "volume_dryup", "zombie_orders", "inference_latency", "memory", "store_errors", "sim_real_gap",
                   "stale_data", "ticker_book_mismatch", "balance_watchdog"}


def switch_names():
    for mod in pkgutil.iter_modules(pkg.__path__, prefix="components.killswitch."):
        importlib.import_module(mod.name)
    from registry.core import _REGISTRY   # only this kind's own modules are imported above
    return sorted(_REGISTRY["killswitch"])


def test_every_design_switch_is_registered():
    names = set(switch_names())
    assert DESIGN_SWITCHES <= names and len(names) >= 18


@pytest.mark.parametrize("name", sorted(DESIGN_SWITCHES | {"balance_drift", "slippage_p95"}))
def test_yaml_builds_and_message_exists(name):
    switch_names()
    node = OmegaConf.to_container(OmegaConf.load(CONF / "killswitches" / f"{name}.yaml"))
    assert list(node) == [name]
    assert registry.validate("killswitch", node, path="killswitches", many=True) == []
    texts = catalog()[f"killswitch.{name}"]
    assert texts["ko"] and texts["en"]


def compose_set(name):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose("config", overrides=[f"killswitches={name}"]).killswitches


def test_standard_and_strict_sets():
    switch_names()
    std, strict = compose_set("standard"), compose_set("strict")
    # issue 16: balance_drift in standard; issue 15: feature_drift (calibrated limits) and slippage_p95 too
    assert {n.component for n in std.values()} == DESIGN_SWITCHES | {"balance_drift", "feature_drift", "slippage_p95"}
    for nodes in (std, strict):
        assert registry.validate("killswitch", nodes, path="killswitches", many=True) == []
    assert std.daily_loss.loss_pct == 8.0 and std.daily_loss.action == "block_entries"
    assert strict.daily_loss.loss_pct == 5.0 and strict.daily_loss.action == "halt"
    assert strict.consecutive_losses.max_losses == 3 and strict.consecutive_losses.action == "pause"
    assert strict.consecutive_losses.seconds == 3600
    assert set(strict) == set(std) and "balance_drift" in std
