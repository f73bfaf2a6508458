"""Settings of paper/live sessions (optional root key `live`; defaults apply until the lead adds it)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass
class LiveSettings:
    """Cadences and limits of a paper/live session (wall-clock seconds)."""
    poll_interval_s: float = 0.5          # order/fill polling of the live exchange (GET /v1/order per open order)
    watchdog_interval_s: float = 5.0      # pass over /v1/orders/open (zombie detection, wall-clock TTL)
    reconcile_interval_s: float = 60.0    # balances vs booked positions
    flush_interval_s: float = 5.0         # store flush cadence (a kill -9 loses at most this much)
    shutdown_timeout_s: float = 15.0      # how long shutdown waits for cancels to be confirmed
    ttl_grace_s: float = 10.0             # past TTL + grace with the cancel sent = zombie
    sweep_on_start: bool = True           # cancel our own leftovers (identifier prefix scalp-) at start
    api_window_s: float = 60.0            # window of api_calls / api_error_rate

    @classmethod
    def from_config(cls, node: Any) -> "LiveSettings":
        if node is None:
            return cls()
        if hasattr(node, "_metadata"):
            from omegaconf import OmegaConf
            node = OmegaConf.to_container(node, resolve=True)
        known = {f.name for f in fields(cls)}
        bad = sorted(set(node) - known)
        if bad:
            from registry import ConfigError
            raise ConfigError([(f"live.{k}", f"unknown key; known: {', '.join(sorted(known))}") for k in bad])
        return cls(**node)
