"""The one declaration of what a running session may change without a restart, and dotted-path helpers."""
from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

# Dotted-path patterns a hot reload may set; `*` matches one path segment. Kill-switch thresholds (and how long
# a trip lasts), entry limits, sizing parameters and the entry rule's threshold: numbers the engine reads on
# every decision, so a new value takes effect at the next event with no state to rebuild.
SAFE_PATHS: tuple[str, ...] = (
    "killswitches.*.*",
    "limits.*",
    "sizing.*",
    "entry.min_prob",            # prob_threshold
    "entry.min_edge_pct",        # cost_aware: threshold in a normal regime ...
    "entry.vol_slope",           # ... and how it rises with volatility
    "entry.spread_slope",        # ... and with the spread
)
# Never reloadable even where a pattern above matches: which component runs, what a trip does, and the few
# parameters a component reads only when it is built (adaptive_kelly's history sizes and starting fraction).
NEVER_PATHS: tuple[str, ...] = ("*.component", "killswitches.*.component", "killswitches.*.action",
                                "sizing.window_trades", "sizing.lambda_window", "sizing.initial_fraction")


def _match(pattern: str, path: str) -> bool:
    pp, parts = pattern.split("."), path.split(".")
    if pattern.startswith("*.") and len(parts) >= len(pp):        # a leading * matches any depth
        parts = parts[len(parts) - len(pp):]
    return len(pp) == len(parts) and all(fnmatchcase(x, p) for p, x in zip(pp, parts))


def is_safe(path: str) -> bool:
    """True when `path` may change in a running session (SAFE_PATHS minus NEVER_PATHS)."""
    return any(_match(p, path) for p in SAFE_PATHS) and not any(_match(p, path) for p in NEVER_PATHS)


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}, "c.d": 2} -> {"a.b": 1, "c.d": 2}: an override file may nest or write dotted keys."""
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for k, v in node.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict) and v:
            out.update(flatten(v, key))
        else:
            out[key] = v
    return out


_MISSING = object()


def get_path(cfg: dict, path: str, default: Any = _MISSING) -> Any:
    node: Any = cfg
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is _MISSING:
                raise KeyError(path)
            return default
        node = node[part]
    return node


def has_parent(cfg: dict, path: str) -> bool:
    """True when every node above the leaf exists (a new leaf is then the Params' or model's to judge)."""
    head = path.rpartition(".")[0]
    return bool(head) and isinstance(get_path(cfg, head, None), dict)


def set_path(cfg: dict, path: str, value: Any) -> None:
    head, _, leaf = path.rpartition(".")
    get_path(cfg, head)[leaf] = value
