"""User plugins: a component outside the package registers, validates and reports typos by dotted path."""
import pytest

import registry
from engine.cli import main

PLUGIN = ["plugins=[examples/custom_component/fixed_fraction.py]",
          "hydra.searchpath=[file://examples/custom_component/conf]", "sizing=fixed_fraction", "ui.lang=en"]


@pytest.fixture(autouse=True)
def _unregister_after():
    yield
    import sys
    registry.unregister("sizing", "fixed_fraction")
    sys.modules.pop("scalp_plugin_fixed_fraction", None)


def test_plugin_component_validates(capsys, monkeypatch):
    monkeypatch.chdir(registry.__file__.rsplit("/registry/", 1)[0])
    rc = main(["validate", *PLUGIN, "sizing.fraction=0.2"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "sizing: fixed_fraction" in out
    sizer = registry.build("sizing", {"component": "fixed_fraction", "fraction": 0.2}, path="sizing")
    assert sizer.size_krw(100_000, 0.9) == pytest.approx(20_000)
    assert sizer.size_krw(20_000, 0.9) == 0.0          # 4,000 KRW is under the exchange minimum
    assert sizer.size_krw(100_000, 0.5) == 0.0


def test_plugin_typo_named(capsys, monkeypatch):
    monkeypatch.chdir(registry.__file__.rsplit("/registry/", 1)[0])
    rc = main(["validate", *PLUGIN, "+sizing.fracton=0.2"])
    out = capsys.readouterr().err
    assert rc == 2
    assert "sizing.fracton  unknown key (did you mean 'fraction'?)" in out


def test_missing_plugin_file_is_a_problem(capsys):
    rc = main(["validate", "plugins=[no/such/plugin.py]", "ui.lang=en"])
    out = capsys.readouterr().err
    assert rc == 2 and out.startswith("plugins[0]  cannot load 'no/such/plugin.py'")
