"""People-facing text in Korean (default) or English, keyed by `ui.lang`; catalogs live in engine/messages/."""
from __future__ import annotations

import importlib
import os
import pkgutil
import re
import string

LANGS = ("ko", "en")
_lang = os.environ.get("SCALP_LANG", "ko") if os.environ.get("SCALP_LANG") in LANGS else "ko"
_catalog: dict[str, dict[str, str]] | None = None


def catalog() -> dict[str, dict[str, str]]:
    """All messages of all areas; a key defined by two areas is a bug and raises."""
    global _catalog
    if _catalog is None:
        import engine.messages as pkg
        merged: dict[str, dict[str, str]] = {}
        for mod in pkgutil.iter_modules(pkg.__path__, prefix="engine.messages."):
            for key, texts in importlib.import_module(mod.name).MESSAGES.items():
                if key in merged:
                    raise ValueError(f"message key '{key}' defined twice ({mod.name})")
                merged[key] = texts
        _catalog = merged
    return _catalog


def set_lang(lang: str) -> None:
    global _lang
    if lang not in LANGS:
        raise ValueError(f"ui.lang must be one of {', '.join(LANGS)}, got '{lang}'")
    _lang = lang


def lang() -> str:
    return _lang


def t(key: str, /, **kw: object) -> str:
    """The message `key` in the current language, formatted with `kw`."""
    texts = catalog().get(key)
    if texts is None:
        raise KeyError(f"no message '{key}' in engine/messages")
    return texts.get(_lang, texts["en"]).format(**kw)


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def pydantic_text(err: dict) -> str:
    """One pydantic error (from `errors(include_input=False)`) in the current language: the catalog entry of its
    type filled from its context; the input value is never shown (it may be a secret)."""
    typ = str(err.get("type", ""))
    ctx = {k: (v if not isinstance(v, BaseException) else str(v)) for k, v in (err.get("ctx") or {}).items()}
    if typ in ("value_error", "assertion_error") and "error" in ctx:     # our validators' own words
        ctx["error"] = error_text(str(ctx["error"]))
    key = f"pydantic.{typ}"
    texts = catalog().get(key)
    if texts is None:
        return t("pydantic.other", type=typ) if _lang != "en" else str(err.get("msg") or t("pydantic.other", type=typ))
    need = placeholders(texts.get(_lang, texts["en"]))
    if not need <= set(ctx):                       # context shape changed upstream: keep the library's text in en
        return str(err.get("msg")) if _lang == "en" else t("pydantic.other", type=typ)
    if _lang == "ko" and "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    return t(key, **{k: ctx[k] for k in need})


def _template_regex(template: str) -> re.Pattern:
    """`weights.{cls}: weights sum to 0` -> a regex with one lazy named group per field."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


_error_templates: list[tuple[re.Pattern, str]] | None = None


def error_text(message: str) -> str:
    """One of our validators' English error messages in the current language: Korean from
    engine/messages/errors.py with the message's variable parts carried over; a message with no entry (a plugin's)
    stays as it is."""
    global _error_templates
    if _lang == "en":
        return message
    if _error_templates is None:
        from engine.messages.errors import KO
        _error_templates = [(_template_regex(en), ko) for en, ko in KO.items()]
    for rx, ko in _error_templates:
        m = rx.fullmatch(message)
        if m:       # a field may itself be one of our messages (`bad candle row: {e}`)
            return ko.format(**{k: error_text(v) for k, v in m.groupdict().items()})
    return message


def problem_text(exc: BaseException) -> str:
    """An exception's message for a one-line problem report, in the current language (`error_text`); a data error
    (`<file>:<line>: <reason>`) keeps its location and translates its reason."""
    reason, where = getattr(exc, "reason", None), getattr(exc, "path", None)
    if isinstance(reason, str) and where is not None:
        line = getattr(exc, "line", None)
        return f"{where}:{line}: {error_text(reason)}" if line is not None else f"{where}: {error_text(reason)}"
    return error_text(str(exc))


def component_description(kind: str, name: str, docstring_line: str) -> str:
    """A component's one-line description in the current language: Korean from engine/messages/components.py
    (plugins without an entry keep their docstring), English from the docstring."""
    if _lang == "ko":
        from engine.messages.components import KO
        return KO.get(f"{kind}.{name}", docstring_line)
    return docstring_line


def param_description(kind: str, name: str, param: str, description: str) -> str:
    """A component parameter's description in the current language: Korean from engine/messages/params.py
    (keyed `<kind>.<component>.<param>`; plugins without an entry keep their own text), English as written."""
    if _lang == "ko" and description:
        from engine.messages.params import KO
        return KO.get(f"{kind}.{name}.{param}", description)
    return description


def describe(kind: str, name: str) -> dict:
    """`registry.describe` with the component's and its parameters' descriptions in the current language."""
    import registry
    schema = registry.describe(kind, name)
    schema["description"] = component_description(kind, name, schema.get("description", ""))
    for param, spec in schema.get("properties", {}).items():
        if spec.get("description"):
            spec["description"] = param_description(kind, name, param, spec["description"])
    return schema


def _install_registry_hooks() -> None:
    import registry.core
    registry.core.set_text_hooks(t, pydantic_text)


_install_registry_hooks()
