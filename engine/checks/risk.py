"""Link checks of the risk config: money-moving modes need a stop exit; Kelly caps cover the market class."""
from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from engine.conf import plain
from engine.i18n import t


def stop_exit_required(cfg: DictConfig) -> list[tuple[str, str]]:
    """paper/live/replay_live without a loss-bounding exit (`bounds_loss`, e.g. hard_stop) could hold a loser
    forever (fee_floor vetoes sells)."""
    if cfg.get("mode") == "backtest":
        return []
    exits = plain(cfg.get("exits")) or {}
    if any(_bounds_loss(n) for n in exits.values()):
        return []
    return [("exits", t("risk.check.no_stop", mode=cfg.get("mode")))]


def _bounds_loss(node: Any) -> bool:
    import registry
    if not isinstance(node, dict) or not node.get("component"):
        return False
    try:
        return bool(getattr(registry.get("exit", str(node["component"])), "bounds_loss", False))
    except registry.ConfigError:          # an unknown exit is the registry pass's to report
        return False


def kelly_class_cap(cfg: DictConfig) -> list[tuple[str, str]]:
    """adaptive_kelly must have a cap for the root market_class (else sizes would fall back silently)."""
    sizing = plain(cfg.get("sizing")) or {}
    if not isinstance(sizing, dict) or sizing.get("component") != "adaptive_kelly":
        return []
    caps = sizing.get("class_cap_pct") or {"majors": 12.0, "alts": 8.0, "emerging": 8.0}
    cls = str(cfg.get("market_class", "majors"))
    return [] if cls in caps else [("sizing.class_cap_pct", t("risk.check.no_class_cap", market_class=cls))]


CHECKS = [stop_exit_required, kelly_class_cap]
