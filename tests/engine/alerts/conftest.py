"""Alert tests reuse the fake endpoint of tests/components/alert and the local exchange server of the live tests."""
from tests.components.alert.conftest import endpoint  # noqa: F401
from tests.engine.live.conftest import make_cfg, server  # noqa: F401

import pytest  # noqa: E402


@pytest.fixture
def english():
    """Messages in English for the test (components loaded first), the previous language restored after."""
    import registry
    from engine.i18n import lang, set_lang
    registry.load_all()
    before = lang()
    set_lang("en")
    yield
    set_lang(before)
