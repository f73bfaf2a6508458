"""Kill-switch test helpers: build a switch from its own YAML file, format its trip message in en and ko."""
import importlib
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import registry
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from engine import i18n

CONF = Path(__file__).resolve().parents[3] / "conf" / "killswitches"


def _build(name: str, **override):
    importlib.import_module(f"components.killswitch.{name}")
    node = OmegaConf.to_container(OmegaConf.load(CONF / f"{name}.yaml"))[name]
    node.update(override)
    return registry.build("killswitch", node, path=f"killswitches.{name}")


def _say(trip) -> str:
    """English text of a trip; Korean must format too (same placeholders) and differ."""
    assert trip.reason == f"killswitch.{trip.switch}"
    en = i18n.t(trip.reason, market=trip.market, **trip.values)
    i18n.set_lang("ko")
    try:
        ko = i18n.t(trip.reason, market=trip.market, **trip.values)
    finally:
        i18n.set_lang("en")
    assert ko and ko != en and "{" not in en + ko
    return en


@pytest.fixture
def build():
    return _build


@pytest.fixture
def say():
    return _say


@pytest.fixture
def snap():
    return RiskSnapshot


@pytest.fixture
def metrics():
    return Metrics
