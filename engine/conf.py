"""Config plumbing: where the Hydra tree lives ($SCALP_CONF_DIR, else conf/) and OmegaConf -> plain data."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def conf_dir() -> Path:
    """The Hydra config tree: $SCALP_CONF_DIR, else conf/ at the project root."""
    env = os.environ.get("SCALP_CONF_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1] / "conf"


def plain(node: Any) -> Any:
    """OmegaConf node -> plain dicts/lists with interpolations resolved; anything else unchanged."""
    if node is not None and hasattr(node, "_metadata") and hasattr(node, "_get_node"):
        from omegaconf import OmegaConf
        return OmegaConf.to_container(node, resolve=True)
    return node
