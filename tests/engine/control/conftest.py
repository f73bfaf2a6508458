"""The live tests' local exchange server and config fixtures, shared with the control tests."""
from tests.engine.live.conftest import make_cfg, server  # noqa: F401  (pytest fixtures)
