"""Model signatures (feature names/order, params hash, data span, label, library versions) and save/load helpers."""
from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
# Keys that change how a model runs, not what it learned: excluded from the params hash.
RUNTIME_KEYS = frozenset({"thread_count", "model_path"})
# Keys compared when a saved model is checked against a config (library versions are informative only).
COMPARED_KEYS = ("component", "params_hash", "feature_names", "label")
_DIST = {"sklearn": "scikit-learn"}


class SignatureMismatch(ValueError):
    """A saved model does not fit the configuration that wants to use it."""

    def __init__(self, expected: Mapping[str, Any], actual: Mapping[str, Any], where: str = "") -> None:
        self.expected, self.actual = dict(expected), dict(actual)
        self.problems = compare_signatures(expected, actual)
        super().__init__(format_mismatch(expected, actual, where))


def _plain(params: Any) -> dict:
    if hasattr(params, "model_dump"):
        return params.model_dump(mode="json")
    return dict(params or {})


def params_hash(params: Any, ignore: Iterable[str] = ()) -> str:
    """sha256 (first 16 hex) of the canonical JSON of the learning-relevant params."""
    skip = RUNTIME_KEYS | frozenset(ignore)
    data = {k: v for k, v in sorted(_plain(params).items()) if k not in skip}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def library_versions(names: Iterable[str] = ("numpy",)) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(_DIST.get(name, name))
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def make_signature(component: str, params: Any, feature_names: Iterable[str], span_ms: tuple[int, int] | None = None,
                   label: str = "", libraries: Iterable[str] = ("numpy",), ignore: Iterable[str] = ()) -> dict:
    plain = _plain(params)
    return {
        "format": FORMAT_VERSION,
        "component": component,
        "params_hash": params_hash(plain, ignore),
        "params": {k: v for k, v in plain.items() if k not in RUNTIME_KEYS},
        "feature_names": list(feature_names),
        "span_ms": [int(span_ms[0]), int(span_ms[1])] if span_ms else None,
        "label": label,
        "libraries": library_versions(libraries),
        "created_ms": int(time.time() * 1000),
    }


def compare_signatures(expected: Mapping[str, Any], actual: Mapping[str, Any],
                       keys: Iterable[str] = COMPARED_KEYS) -> list[str]:
    """Lines `key: expected X, got Y` for every compared key present in `expected` that differs."""
    problems = []
    for key in keys:
        if key not in expected or expected.get(key) in (None, ""):
            continue  # the caller does not know this part (e.g. no label configured): not compared
        if expected.get(key) != actual.get(key):
            if key == "feature_names":
                problems.append(_feature_diff(list(expected[key]), list(actual.get(key) or [])))
            else:
                problems.append(f"{key}: expected {expected.get(key)!r}, got {actual.get(key)!r}")
    return problems


def _feature_diff(exp: list[str], got: list[str]) -> str:
    missing = [n for n in exp if n not in got]
    extra = [n for n in got if n not in exp]
    if not missing and not extra:
        return f"feature_names: same names, different order (expected {exp}, got {got})"
    return f"feature_names: missing in model {missing}, not in config {extra}"


def format_mismatch(expected: Mapping[str, Any], actual: Mapping[str, Any], where: str = "") -> str:
    show = ("component", "params_hash", "label", "span_ms", "feature_names")
    lines = [f"model signature does not match the configuration{' (' + where + ')' if where else ''}:"]
    lines += ["  " + p for p in compare_signatures(expected, actual)]
    lines.append("  config expects: " + json.dumps({k: expected.get(k) for k in show if k in expected}))
    lines.append("  model has:      " + json.dumps({k: actual.get(k) for k in show}))
    return "\n".join(lines)


def save_model(path: str | Path, signature: Mapping[str, Any], state: Any) -> Path:
    """Write `path/signature.json` (readable without unpickling) and `path/model.pkl`."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / "signature.json").write_text(json.dumps(dict(signature), indent=1, sort_keys=True))
    with open(path / "model.pkl", "wb") as fh:
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def read_signature(path: str | Path) -> dict:
    f = Path(path) / "signature.json"
    if not f.is_file():
        raise FileNotFoundError(f"no saved model at {path} (missing signature.json)")
    return json.loads(f.read_text())


def load_model(path: str | Path) -> tuple[dict, Any]:
    sig = read_signature(path)
    # pickle runs code: only load model folders this project wrote (documented in the README)
    with open(Path(path) / "model.pkl", "rb") as fh:
        return sig, pickle.load(fh)
