"""A saved model as one folder: each fitted tower, the entry rule's map, the drift reference; and loading it back."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from engine.conf import plain

MANIFEST = "model.json"
ENTRY_MAP = "entry_map.json"
DRIFT = "drift_reference.npz"


def config_signature(cfg: Any) -> str:
    """What a model must match to be used by a config: features, label, towers (saved paths aside), the
    fusion and entry components. Markets and thresholds are not part of it (one model serves a class)."""
    towers = {str(k): {kk: vv for kk, vv in (v or {}).items() if kk != "model_path"}
              for k, v in (plain(cfg.get("towers")) or {}).items()}
    doc = {"features": plain(cfg.get("features")), "labels": plain(cfg.get("labels")), "towers": towers,
           "fusion": (plain(cfg.get("fusion")) or {}).get("component"),
           "entry": (plain(cfg.get("entry")) or {}).get("component")}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def save_bundle(out: Path, towers: dict, entry: Any = None, drift: tuple | None = None, **meta: Any) -> dict:
    """Write every tower that can be saved, the entry map (if fitted) and the drift reference under `out`;
    returns the manifest (tower id -> folder, entry_map, drift_reference, `meta`) also written as model.json."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for tid, tower in towers.items():
        if hasattr(tower, "save") and getattr(tower, "signature", None) is not None:
            tower.save(out / tid)
            paths[tid] = str(out / tid)
    man: dict = {"towers": paths, "entry_map": None, "drift_reference": None, **meta}
    if entry is not None and hasattr(entry, "save_map") and getattr(entry, "map_x", None) is not None:
        entry.save_map(out / ENTRY_MAP)
        man["entry_map"] = str(out / ENTRY_MAP)
    if drift is not None:
        from engine.drift import save_reference
        man["drift_reference"] = str(save_reference(out / DRIFT, *drift))
    (out / MANIFEST).write_text(json.dumps(man, indent=1, default=str))
    return man


def manifest(path: str | Path) -> dict:
    return json.loads((Path(path) / MANIFEST).read_text())


def load_towers(cfg: Any, tower_paths: dict, feature_names: list[str], providers: dict | None = None) -> dict:
    """The config's towers with each saved one loaded from `tower_paths` (tower id -> folder); towers the
    model did not save (rules) are built from the config. The signature check of each tower applies."""
    import registry
    out = {}
    for tid, node in (plain(cfg.get("towers")) or {}).items():
        node = dict(node or {})
        if str(tid) in tower_paths:
            node["model_path"] = str(tower_paths[str(tid)])
        tower = registry.build("tower", node, path=f"towers.{tid}")
        if hasattr(tower, "bind_providers"):
            tower.bind_providers(providers or {})
        tower.bind(feature_names)
        out[str(tid)] = tower
    return out


def load_entry(cfg: Any, entry_map: str | None) -> Any:
    """The config's entry rule, with the model's fitted map where it takes one."""
    import registry
    node = dict(plain(cfg.get("entry")) or {"component": "cost_aware"})
    if entry_map:
        cls = registry.get("entry", str(node.get("component")), path="entry")
        if "map_path" in getattr(cls, "Params").model_fields:
            node["map_path"] = entry_map
    return registry.build("entry", node, path="entry")


def load_drift(man: dict, feature_names: list[str]) -> Any:
    """The training feature rows saved with the model, when they carry the session's features (else None)."""
    p = man.get("drift_reference")
    if not p or not Path(p).exists():
        return None
    from engine.drift import load_reference
    X, names = load_reference(p)
    return X if list(names) == list(feature_names) else None
