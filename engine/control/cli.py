"""Argument handling shared by `scalp stop`, `scalp runs` and `scalp store`: flags, overrides, the store."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Args:
    """argv split into positional words, --flags (with their values) and key=value overrides."""
    words: list[str] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    unknown: str | None = None


def parse(argv: list[str], valued: tuple[str, ...] = (), switches: tuple[str, ...] = ()) -> Args:
    """`--name value`, `--name=value` for `valued`; bare `--name` for `switches`; anything else with `=` is a
    config override; the first other flag is `unknown`."""
    from engine.i18n import set_lang
    out = Args()
    i = 0
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=")
        if a.startswith("-"):
            if name in valued and eq:
                out.flags[name] = value
            elif name in valued and i + 1 < len(argv):
                out.flags[name] = argv[i + 1]
                i += 1
            elif a in switches:
                out.flags[a] = True
            elif out.unknown is None:
                out.unknown = name
        elif eq:
            out.overrides.append(a)
            if name == "ui.lang" and value in ("ko", "en"):
                set_lang(value)
        else:
            out.words.append(a)
        i += 1
    return out


def open_store(overrides: list[str]) -> tuple[Any, Any]:
    """(composed config, its store component) for the overrides (store=..., store.path=...)."""
    import registry
    from engine.app import compose, job_config
    from engine.conf import plain
    registry.load_all()
    cfg = job_config(compose(overrides))
    return cfg, registry.build("store", plain(cfg.store), path="store")


def iso_ms(ms: Any) -> str:
    if not ms:
        return "-"
    from datetime import datetime, timezone
    return datetime.fromtimestamp(int(ms) / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
