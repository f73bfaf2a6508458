"""Where the Hydra config tree lives: $SCALP_CONF_DIR, else conf/ at the project root."""
from __future__ import annotations

import os
from pathlib import Path


def conf_dir() -> Path:
    """The Hydra config tree: $SCALP_CONF_DIR, else conf/ at the project root."""
    env = os.environ.get("SCALP_CONF_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1] / "conf"
