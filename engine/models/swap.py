"""A running paper/live session picks up a model promoted in the registry, at a safe point (no open order of
its own): towers and entry map swapped in the loop, one JSON INFO line on "scalp.live", an artifact stored."""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("scalp.live")


@dataclass
class _SwapState:
    """Per session: when it started watching (wall ms; only later promotions count), its config signature,
    the classes it trades, the model id in use per class, when to look next (monotonic s)."""
    since_ms: int
    signature: str
    classes: list
    current: dict = field(default_factory=dict)
    next_s: float = 0.0
    waiting: int | None = None
    registry: Any = None


def _state(loop: Any) -> _SwapState:
    st = getattr(loop, "_model_swap", None)
    if st is None:
        from engine.models.bundle import config_signature
        routes = loop.pipeline.routes
        classes = sorted({r.market_class for r in routes.values()}) if routes else [loop.market_class]
        st = _SwapState(int(time.time() * 1000), config_signature(loop.cfg), classes)
        loop._model_swap = st
    return st


def maybe_swap_model(loop: Any, store: Any, run_id: int | None) -> bool:
    """Every `retrain.swap_check_s`: for each class the session trades, a model deployed in the registry
    after the session started (same config signature) replaces the loop's models once no order of ours is
    open. True when a model was swapped in. Never raises: a failed look or load is one warning line."""
    st = _state(loop)
    now = time.monotonic()
    if store is None or now < st.next_s:
        return False
    st.next_s = now + float(loop.settings.retrain.swap_check_s)
    try:
        return _check(loop, store, run_id, st)
    except Exception as e:  # noqa: BLE001  the session keeps trading its current model
        log.warning(json.dumps({"event": "model_swap_failed", "error": f"{type(e).__name__}: {e}"[:300]}))
        return False


def _check(loop: Any, store: Any, run_id: int | None, st: _SwapState) -> bool:
    from engine.models.registry import ModelRegistry
    if st.registry is None or st.registry.store is not store:
        st.registry = ModelRegistry(store)
    reg = st.registry
    swapped = False
    for cls in st.classes:
        row = reg.deployed(cls, st.signature)
        if row is None or row["id"] == st.current.get(cls) or (row["promoted_ms"] or 0) <= st.since_ms:
            continue
        if loop.om.open:                      # not a safe point: an order of ours is working
            if st.waiting != row["id"]:
                st.waiting = row["id"]
                log.info(json.dumps({"event": "model_swap_waiting", "model_id": row["id"], "market_class": cls,
                                     "open_orders": len(loop.om.open)}))
            return swapped
        _install(loop, cls, row)
        before, st.current[cls], st.waiting = st.current.get(cls), row["id"], None
        info = {"event": "model_swapped", "model_id": row["id"], "previous_model_id": before, "market_class": cls,
                "path": row["path"], "towers": row["towers"], "ts_ms": loop.now_ms, "run_id": run_id}
        log.info(json.dumps(info, default=str))
        store.save_artifact(f"model-swap/{run_id}/{row['id']}", "model_swap", info, path=row["path"], run_id=run_id)
        swapped = True
    return swapped


def _install(loop: Any, cls: str, row: dict) -> None:
    """Load the registry row's towers and entry map for the loop's features; route them to the class's
    markets when the bot routes by class, else install them for every market."""
    from engine.costs import bind_costs
    from engine.models.bundle import MANIFEST, load_drift, load_entry, load_towers, manifest
    from engine.models.classes import refresh_routes
    man = manifest(row["path"]) if (Path(row["path"]) / MANIFEST).exists() else {}
    towers = load_towers(loop.cfg, row["towers"], loop.feature_names, loop.md.providers)
    entry = load_entry(loop.cfg, man.get("entry_map"))
    routes = loop.pipeline.routes
    if not routes:
        loop.install_models(towers, entry, None, drift_reference=load_drift(man, loop.feature_names))
        return
    bind_costs(loop.costs, entry)
    for route in routes.values():
        if route.market_class == cls:
            route.towers, route.base_entry = towers, entry
    refresh_routes(routes, loop.entry)
    loop.pipeline.batch = {}
