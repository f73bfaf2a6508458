"""Risk-manager fixtures: only the risk component packages are imported (not every component)."""
import importlib
import pkgutil

import pytest


@pytest.fixture(autouse=True, scope="session")
def _risk_components():
    for name in ("components.sizing", "components.exit", "components.killswitch", "components.alert"):
        pkg = importlib.import_module(name)
        for mod in pkgutil.iter_modules(pkg.__path__, prefix=name + "."):
            importlib.import_module(mod.name)
