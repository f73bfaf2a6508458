"""Shared fixtures: paths to the real data, a message language pinned to English for text asserts."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SCALP_SHARED_DATA", ROOT.parent / "shared" / "data"))
BUNDLED = ROOT / "examples" / "data"


@pytest.fixture(autouse=True)
def _english_messages():
    from engine import i18n
    before = i18n.lang()
    i18n.set_lang("en")
    yield
    i18n.set_lang(before)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set SCALP_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def bundled_data() -> Path:
    return BUNDLED
