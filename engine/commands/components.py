"""`scalp components [KIND] [--json]`: registered components with params, defaults, bounds and docs."""
from __future__ import annotations

import json
import sys

import registry
from engine.i18n import describe, t

HELP = "list registered components and their params"
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "minLength", "maxLength")


def _param_line(name: str, spec: dict) -> str:
    typ = spec.get("type") or "|".join(str(a.get("type", a.get("$ref", "?")).split("/")[-1])
                                       for a in spec.get("anyOf", [])) or "object"
    parts = [f"{name}: {typ}"]
    if "default" in spec:
        parts.append(f"= {json.dumps(spec['default'], ensure_ascii=False)}")
    bounds = [f"{k}={spec[k]}" for k in _BOUNDS if k in spec]
    if bounds:
        parts.append(f"[{', '.join(bounds)}]")
    if spec.get("description"):
        parts.append(f"— {spec['description']}")
    return " ".join(parts)


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    flag = next((a for a in argv if a.startswith("-") and a != "--json"), None)
    if flag is not None:
        from engine.cli import unknown_option
        return unknown_option("components", flag)
    args = [a for a in argv if not a.startswith("--")]
    registry.load_all()
    kinds = list(registry.KINDS)
    if args:
        if args[0] not in kinds:
            try:
                registry.names(args[0])
            except registry.ConfigError as e:
                print("\n".join(e.lines()), file=sys.stderr)
                return 2
        kinds = [args[0]]
    if as_json:
        print(json.dumps({k: {n: describe(k, n) for n in registry.names(k)} for k in kinds},
                         ensure_ascii=False, indent=1))
        return 0
    for kind in kinds:
        names = registry.names(kind)
        print(t("components.header", kind=kind, n=len(names)))
        for name in names:
            schema = describe(kind, name)        # descriptions already in ui.lang
            print(f"  {name} — {schema.get('description', '')}")
            if schema.get("x-needs"):
                print(f"      {t('components.needs', needs=', '.join(schema['x-needs']))}")
            for pname, spec in schema.get("properties", {}).items():
                print(f"      {_param_line(pname, spec)}")
    return 0
