"""One language at a time: every catalog message and component description in ko has Hangul, in en has none."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

import registry
from engine.i18n import catalog, component_description, placeholders, pydantic_text, set_lang, t

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _layout_only(text: str) -> bool:
    """A pure layout entry (`{market:<12} {kind:<7}`): no words to translate."""
    return not re.search(r"[A-Za-z\uac00-\ud7a3]", re.sub(r"\{[^}]*\}", "", text))


@pytest.mark.parametrize("key", sorted(catalog()))
def test_every_catalog_message_is_in_one_language(key):
    texts = catalog()[key]
    kw = {name: 1 for name in placeholders(texts["en"])}
    set_lang("en")
    en = t(key, **kw)
    set_lang("ko")
    ko = t(key, **kw)
    assert not HANGUL.search(en), f"{key} (en): {en}"
    if not _layout_only(texts["ko"]):
        assert HANGUL.search(ko), f"{key} (ko): {ko}"


def test_every_component_description_is_in_one_language():
    registry.load_all()
    for kind in registry.KINDS:
        for name in registry.names(kind):
            doc = registry.describe(kind, name)["description"]
            set_lang("en")
            assert doc and not HANGUL.search(component_description(kind, name, doc)), f"{kind}.{name}"
            set_lang("ko")
            assert HANGUL.search(component_description(kind, name, doc)), f"{kind}.{name} has no Korean description"


@pytest.mark.parametrize("err", [
    {"type": "greater_than_equal", "ctx": {"ge": 1}, "msg": "Input should be greater than or equal to 1"},
    {"type": "literal_error", "ctx": {"expected": "'raise' or 'skip'"}, "msg": "Input should be 'raise' or 'skip'"},
    {"type": "int_parsing", "msg": "Input should be a valid integer, unable to parse string as an integer"},
    {"type": "some_future_type", "msg": "Something new"},
])
def test_pydantic_errors_follow_ui_lang(err):
    set_lang("ko")
    ko = pydantic_text(err)
    assert HANGUL.search(ko) and "Input should" not in ko, ko
    set_lang("en")
    assert pydantic_text(err) == err["msg"]


def test_korean_validation_lines_have_no_pydantic_english():
    out = subprocess.run([sys.executable, "-m", "engine.cli", "validate", "walkforward.folds=0",
                          "decision_interval_ms=abc", "+sizing.amount_kwr=1"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) >= 3, out.stderr
    for line in lines:
        assert HANGUL.search(line) and "Input should" not in line and "did you mean" not in line, line
