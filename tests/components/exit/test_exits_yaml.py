"""Every exit YAML defines one instance named like its file and builds."""
import importlib
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import registry

CONF = Path(__file__).resolve().parents[3] / "conf" / "exits"


@pytest.mark.parametrize("name", ["hard_stop", "ev_trail", "time_stop", "profit_target", "fee_floor"])
def test_yaml_builds(name):
    importlib.import_module(f"components.exit.{name}")
    node = OmegaConf.to_container(OmegaConf.load(CONF / f"{name}.yaml"))
    assert list(node) == [name] and node[name]["component"] == name
    assert registry.validate("exit", node, path="exits", many=True) == []
