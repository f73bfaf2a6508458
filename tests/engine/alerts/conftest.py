"""Alert tests reuse the fake endpoint of tests/components/alert and the local exchange server of the live tests."""
from tests.components.alert.conftest import endpoint  # noqa: F401
from tests.engine.live.conftest import make_cfg, server  # noqa: F401
