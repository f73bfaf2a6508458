"""Every sizing YAML builds its component; the default config composes with confidence_proportional."""
import importlib
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import registry

CONF = Path(__file__).resolve().parents[3] / "conf" / "sizing"


@pytest.mark.parametrize("name", ["confidence_proportional", "adaptive_kelly", "fixed_krw"])
def test_yaml_builds(name):
    importlib.import_module(f"components.sizing.{name}")
    node = OmegaConf.to_container(OmegaConf.load(CONF / f"{name}.yaml"))
    assert node["component"] == name
    sizer = registry.build("sizing", node, path="sizing")
    assert sizer.size_krw(balance_krw=1_000_000, confidence=0.9) > 0
    assert sizer.size_krw(balance_krw=4_999, confidence=0.9) == 0
