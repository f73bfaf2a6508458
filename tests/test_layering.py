"""The import graph keeps the layers of DESIGN §11: engine -> registry -> components/<kind> -> components/types.

- components/types/ imports neither a component kind nor the engine;
- components/<kind>/ imports types/, registry/ and helper modules of its own kind (modules that register
  no component), never another kind, a registered sibling or the engine;
- engine/ imports types/ and registry/; a kind's private machinery (`_name.py`, registers nothing, e.g. the
  feature kernels FeatureSet drives) is allowed; every concrete component is reached through the registry;
- registry/ imports no component and no engine module.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "components", "registry")


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _registers(tree: ast.AST) -> bool:
    """True when the module registers a component (`@register(kind, name)` on a class)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for deco in node.decorator_list:
                fn = deco.func if isinstance(deco, ast.Call) else deco
                if (isinstance(fn, ast.Name) and fn.id == "register") or \
                        (isinstance(fn, ast.Attribute) and fn.attr == "register"):
                    return True
    return False


def _imports(name: str, path: Path, tree: ast.AST, known: dict[str, Path]) -> list[str]:
    """Absolute names of every project module `name` imports (a `from pkg import mod` counts as pkg.mod)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            out.extend(subs if len(subs) == len(node.names) else [base, *subs])   # pkg itself only for names
    return [m for m in out if m.split(".")[0] in PACKAGES]


def _layer(name: str) -> tuple[str, str]:
    parts = name.split(".")
    if parts[0] != "components":
        return parts[0], ""
    if len(parts) == 1:
        return "components", ""
    return ("types", "") if parts[1] == "types" else ("kind", parts[1])


def violations(root: Path = ROOT) -> list[str]:
    """`file: import` for every import that crosses the layering the wrong way."""
    known = _modules(root)
    trees = {m: ast.parse(p.read_text(), str(p)) for m, p in known.items()}
    registered = {m for m, t in trees.items() if _registers(t)}
    bad = []
    for mod, path in known.items():
        layer, kind = _layer(mod)
        rel = path.relative_to(root).as_posix()
        for target in sorted(set(_imports(mod, path, trees[mod], known))):
            t_layer, t_kind = _layer(target)
            if t_layer == "types" or target == mod:
                continue
            if layer == "types":
                ok = False
            elif layer == "kind":
                ok = t_layer == "registry" or target == "components" or \
                    (t_layer == "kind" and t_kind == kind and target not in registered)
            elif layer == "engine":
                private = target.rsplit(".", 1)[-1].startswith("_")
                ok = t_layer in ("engine", "registry") or target == "components" or \
                    (t_layer == "kind" and private and target not in registered)
            elif layer == "registry":
                ok = t_layer == "registry"
            else:
                ok = True
            if not ok:
                bad.append(f"{rel}: {target}")
    return bad


def test_import_graph_respects_the_layers():
    bad = violations()
    assert not bad, "layering violations (file: import):\n" + "\n".join(bad)


def test_checker_flags_each_kind_of_violation(tmp_path):
    """The walk finds what it is meant to find (so the test above can fail)."""
    files = {
        "registry/__init__.py": "",
        "engine/__init__.py": "",
        "engine/ok.py": "import registry\nfrom components.types import events\nfrom components.feature import _k\n",
        "engine/bad.py": "from components.exchange.sim import Sim\nfrom components.exchange import helper\n",
        "components/__init__.py": "",
        "components/types/__init__.py": "",
        "components/types/events.py": "",
        "components/types/bad.py": "from components.exchange import sim\nimport engine.ok\n",
        "components/feature/__init__.py": "",
        "components/feature/_k.py": "",
        "components/exchange/__init__.py": "",
        "components/exchange/helper.py": "from components.types.events import x\n",
        "components/exchange/sim.py": ("from registry import register\nfrom components.exchange.helper import h\n"
                                       "from .helper import g\n@register('exchange', 'sim')\nclass Sim: ...\n"),
        "components/exchange/other.py": ("from registry import register\nfrom components.exchange.sim import Sim\n"
                                         "from components.feature import _k\nfrom engine import ok\n"
                                         "@register('exchange', 'other')\nclass Other: ...\n"),
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert sorted(violations(tmp_path)) == sorted([
        "engine/bad.py: components.exchange.sim",          # concrete component, not via the registry
        "engine/bad.py: components.exchange.helper",       # a kind's public helper belongs in types/
        "components/types/bad.py: components.exchange.sim",
        "components/types/bad.py: engine.ok",
        "components/exchange/other.py: components.exchange.sim",       # registered sibling
        "components/exchange/other.py: components.feature._k",         # another kind
        "components/exchange/other.py: engine.ok",
    ])
