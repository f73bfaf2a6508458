"""One language at a time: every catalog message and component description in ko has Hangul, in en has none."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

import registry
from engine.i18n import (catalog, component_description, lang, param_description, placeholders, pydantic_text,
                         set_lang, t)

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(autouse=True)
def _keep_lang():
    before = lang()
    yield
    set_lang(before)


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


def _described_params():
    registry.load_all()
    for kind in registry.KINDS:
        for name in registry.names(kind):
            for param, spec in registry.describe(kind, name).get("properties", {}).items():
                if spec.get("description"):
                    yield kind, name, param, spec["description"]


def test_every_parameter_description_is_in_one_language():
    seen = 0
    for kind, name, param, doc in _described_params():
        set_lang("en")
        en = param_description(kind, name, param, doc)
        set_lang("ko")
        ko = param_description(kind, name, param, doc)
        assert en == doc and not HANGUL.search(en), f"{kind}.{name}.{param} (en): {en}"
        assert HANGUL.search(ko), f"{kind}.{name}.{param} has no Korean description"
        seen += 1
    assert seen > 300


def test_no_korean_parameter_text_outlives_its_parameter():
    from engine.messages.params import KO
    assert set(KO) == {f"{k}.{n}.{p}" for k, n, p, _ in _described_params()}


def test_components_command_shows_parameters_in_ui_lang():
    def run(*args):
        out = subprocess.run([sys.executable, "-m", "engine.cli", "components", "sizing", *args],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout
    ko, en = run("ui.lang=ko"), run("ui.lang=en")
    assert "진입당 KRW" in ko and "KRW per entry" not in ko
    assert "KRW per entry" in en and not HANGUL.search(en)
    import json
    doc = json.loads(run("--json", "ui.lang=ko"))["sizing"]["fixed_krw"]
    assert HANGUL.search(doc["description"]) and HANGUL.search(doc["properties"]["amount_krw"]["description"])


def test_every_validator_message_template_is_in_one_language():
    from engine.messages.errors import KO
    for en, ko in KO.items():
        assert not HANGUL.search(en) and HANGUL.search(ko), en
        assert placeholders(en) == placeholders(ko), en


@pytest.mark.parametrize(("kind", "node", "english"), [
    ("sizing", {"component": "confidence_proportional", "min_confidence": 0.9, "small_high_confidence": 0.5},
     "small_high_confidence must be >= min_confidence"),
    ("killswitch", {"component": "volume_dryup", "recent_s": 600, "baseline_s": 60},
     "baseline_s must be longer than recent_s"),
    ("killswitch", {"component": "daily_loss", "action": "pause", "seconds": 0}, "action 'pause' needs seconds > 0"),
    ("fusion", {"component": "learned", "min_obs": 500, "window_obs": 100}, "min_obs (500) must be <= window_obs"),
    ("universe", {"component": "static", "markets": ["btc"]}, "market codes look like KRW-BTC"),
    ("feed", {"component": "replay", "start": "yesterday"}, "expected ISO time"),
])
def test_validator_errors_follow_ui_lang(kind, node, english):
    def problems(lang):
        set_lang(lang)
        try:
            registry.parse_params(kind, node, kind)
        except registry.ConfigError as e:
            return " | ".join(e.lines())
        raise AssertionError(f"{node} was accepted")
    en, ko = problems("en"), problems("ko")
    assert english in en and not HANGUL.search(en), en
    assert HANGUL.search(ko) and english not in ko and "Value error" not in ko, ko
    numbers = re.findall(r"\d+", english)
    assert all(n in ko for n in numbers), ko          # the variable parts are carried into the Korean text


def test_data_problem_lines_keep_the_location_and_translate_the_reason():
    from components.types.feed.errors import DataError
    from engine.i18n import problem_text
    err = DataError("candles/KRW-BTC.csv", 3, "bad candle row: 5 fields, header has 6")
    set_lang("en")
    assert problem_text(err) == str(err)
    set_lang("ko")
    ko = problem_text(err)
    assert ko.startswith("candles/KRW-BTC.csv:3: ") and "5" in ko and "6" in ko
    assert HANGUL.search(ko) and "fields" not in ko and "bad candle row" not in ko, ko
    assert problem_text(ValueError("a plugin's own words")) == "a plugin's own words"


def test_every_validator_message_template_still_has_its_raise():
    """A reworded message would silently lose its Korean text: each fixed part of each template is in the code."""
    import string
    from engine.messages.errors import KO
    code = "\n".join(p.read_text(encoding="utf-8") for top in ("components", "engine")
                     for p in (ROOT / top).rglob("*.py") if "messages" not in p.parts)
    code = re.sub(r"[\"']\s*\n\s*f?[\"']", "", code)          # join implicitly concatenated string literals
    for en in KO:
        for literal, *_ in string.Formatter().parse(en):
            if len(literal.strip()) >= 4:
                assert literal in code, f"no raise says {literal!r} any more ({en})"
