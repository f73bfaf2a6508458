"""Component registry: short names -> classes with strict pydantic Params, built from config nodes."""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

# Closed set (DESIGN §3). Adding a kind needs a reason written next to it.
KINDS: tuple[str, ...] = (
    "feature", "label", "tower", "fusion", "entry", "sizing", "exit", "killswitch",
    "universe", "feed", "exchange", "fill_model", "store", "alert",
    # sizing_limit: risk across positions (open-position scaling, correlation with held markets) multiplies the
    # one sizing policy's size; a list of them composes, which a single `sizing` node cannot
    "sizing_limit",
)

_REGISTRY: dict[str, dict[str, type]] = {k: {} for k in KINDS}
_LOADED = False


class Params(BaseModel):
    """Strict, frozen base for every component's parameters (unknown keys rejected)."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True,
                              validate_default=True)


class ConfigError(Exception):
    """All problems of a config at once, one `dotted.path  message` line each."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems: list[tuple[str, str]] = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{path}  {msg}" if path else msg for path, msg in self.problems]

    def __add__(self, other: "ConfigError") -> "ConfigError":
        return ConfigError(self.problems + other.problems)


# English texts; the engine installs its ui.lang catalog with `set_text_hooks` (registry imports no engine code).
EN_TEXTS = {
    "unknown_kind": "unknown component kind '{kind}'{hint}; kinds: {kinds}",
    "unknown_component": "unknown {kind} '{name}'{hint}; registered: {known}",
    "did_you_mean": " (did you mean {options}?)",
    "not_mapping": "expected a mapping with `component: <name>`, got {got}",
    "no_component": "missing; choose a {kind}: {known}",
}
_hooks: dict[str, Callable[..., str]] = {}


def set_text_hooks(message: Callable[..., str], pydantic_error: Callable[[dict], str]) -> None:
    """Route people-facing texts through a message catalog: message(key, **kw), pydantic_error(error dict)."""
    _hooks.update(message=message, pydantic_error=pydantic_error)


def _t(key: str, **kw: object) -> str:
    hook = _hooks.get("message")
    return hook(f"registry.{key}", **kw) if hook else EN_TEXTS[key].format(**kw)


def _error_text(err: dict) -> str:
    hook = _hooks.get("pydantic_error")
    if hook:
        return hook(err)
    return "unknown key" if err.get("type") == "extra_forbidden" else str(err.get("msg", "invalid"))


def _check_kind(kind: str) -> None:
    if kind not in _REGISTRY:
        raise ConfigError([("", _t("unknown_kind", kind=kind, hint=_suggest(kind, KINDS),
                                   kinds=", ".join(KINDS)))])


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(options), n=3, cutoff=0.5)
    return _t("did_you_mean", options=", ".join(repr(c) for c in close)) if close else ""


def register(kind: str, name: str):
    """Class decorator: register `cls` under (kind, name); a second module claiming it is refused."""
    _check_kind(kind)

    def deco(cls: type) -> type:
        if not (isinstance(getattr(cls, "Params", None), type) and issubclass(cls.Params, Params)):
            raise TypeError(f"{cls.__module__}.{cls.__qualname__}: a component needs a nested "
                            f"`Params(registry.Params)` class")
        have = _REGISTRY[kind].get(name)
        if have is not None and have is not cls:
            # Re-import of the same module (e.g. importlib.reload) replaces silently; another module may not.
            if f"{have.__module__}.{have.__qualname__}" != f"{cls.__module__}.{cls.__qualname__}":
                raise ValueError(f"duplicate {kind} '{name}': registered by {have.__module__}."
                                 f"{have.__qualname__}, refused from {cls.__module__}.{cls.__qualname__}")
        cls.component_kind = kind
        cls.component_name = name
        _REGISTRY[kind][name] = cls
        return cls

    return deco


def unregister(kind: str, name: str) -> None:
    """Remove a registration (tests and plugins that register temporary components)."""
    _REGISTRY.get(kind, {}).pop(name, None)


def names(kind: str) -> list[str]:
    _check_kind(kind)
    load_all()
    return sorted(_REGISTRY[kind])


def get(kind: str, name: str, path: str = "") -> type:
    _check_kind(kind)
    if name not in _REGISTRY[kind]:
        load_all()
    try:
        return _REGISTRY[kind][name]
    except KeyError:
        known = sorted(_REGISTRY[kind])
        raise ConfigError([(f"{path}.component" if path else "component",
                            _t("unknown_component", kind=kind, name=name, hint=_suggest(name, known),
                               known=", ".join(known) or "-"))]) from None


def _plain(node: Any) -> Any:
    if hasattr(node, "_metadata") and hasattr(node, "_get_node"):  # OmegaConf container
        from omegaconf import OmegaConf
        return OmegaConf.to_container(node, resolve=True)
    return node


def _format_error(err: Mapping[str, Any], path: str, fields: Iterable[str] = ()) -> tuple[str, str]:
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    dotted = ".".join(p for p in (path, loc) if p)
    msg = _error_text(dict(err))
    if err.get("type") == "extra_forbidden":
        msg += _suggest(dotted.rsplit(".", 1)[-1], fields)
    return dotted, msg  # input values are never printed: they may be secrets


def parse_params(kind: str, node: Any, path: str = "") -> tuple[type, BaseModel]:
    """Validate one config node -> (class, Params). Raises ConfigError naming every problem."""
    node = _plain(node)
    if not isinstance(node, Mapping):
        raise ConfigError([(path, _t("not_mapping", got=type(node).__name__))])
    node = dict(node)
    name = node.pop("component", None)
    if name is None:
        known = names(kind)
        raise ConfigError([(f"{path}.component" if path else "component",
                            _t("no_component", kind=kind, known=", ".join(known)))])
    cls = get(kind, str(name), path)
    try:
        params = cls.Params(**node)
    except ValidationError as e:
        fields = list(cls.Params.model_fields)
        raise ConfigError([_format_error(err, path, fields) for err in e.errors(include_input=False)]) from None
    return cls, params


def build(kind: str, node: Any, path: str = "") -> Any:
    """Validate a node and construct the component from its own Params only."""
    cls, params = parse_params(kind, node, path)
    return cls(params)


def validate(kind: str, nodes: Mapping[str, Any] | Any, path: str = "", many: bool = False) -> list[tuple[str, str]]:
    """Validate one node (or a mapping id -> node when many=True); return every problem, raise nothing."""
    items = (_plain(nodes) or {}).items() if many else [(None, nodes)]
    problems: list[tuple[str, str]] = []
    for key, node in items:
        sub = f"{path}.{key}" if key is not None else path
        try:
            parse_params(kind, node, sub)
        except ConfigError as e:
            problems.extend(e.problems)
    return problems


def describe(kind: str, name: str) -> dict[str, Any]:
    """JSON schema of a component's Params plus its docstring and declared metadata."""
    cls = get(kind, name)
    schema = cls.Params.model_json_schema()
    schema["description"] = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
    for attr in ("needs", "outputs_doc"):
        if hasattr(cls, attr):
            val = getattr(cls, attr)
            schema[f"x-{attr}"] = sorted(val) if isinstance(val, (set, frozenset)) else val
    return schema


def load_all() -> None:
    """Import every module under `components` so all decorators have run. Idempotent."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True   # set first: a component module calling names()/get() at import must not recurse
    try:
        pkg = importlib.import_module("components")
        # Regular packages only: folders without __init__.py (e.g. alembic migrations) are not code to
        # register; a test makes sure every component folder has its __init__.py.
        for mod in pkgutil.walk_packages(pkg.__path__, prefix="components."):
            importlib.import_module(mod.name)
    except BaseException:
        _LOADED = False
        raise


def secret_values(params: BaseModel) -> list[str]:
    """Every SecretStr value inside a Params tree (used to scrub free text before it is shown)."""
    out: list[str] = []
    for value in params.__dict__.values():
        if isinstance(value, SecretStr) and value.get_secret_value():
            out.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            out.extend(secret_values(value))
    return out
