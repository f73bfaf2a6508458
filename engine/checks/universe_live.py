"""Link check (paper/live): a daily universe (liquidity) needs a feed that can change its subscription mid-session,
else the session would silently trade the root `markets` all day and never rescan."""
from __future__ import annotations

from omegaconf import DictConfig

import registry
from engine.conf import plain
from engine.i18n import t


def daily_universe_feed(cfg: DictConfig) -> list[tuple[str, str]]:
    if str(cfg.get("mode")) not in ("paper", "live"):
        return []
    u, f = plain(cfg.get("universe")) or {}, plain(cfg.get("feed")) or {}
    try:
        ucls = registry.get("universe", str(u.get("component"))) if u.get("component") else None
        fcls = registry.get("feed", str(f.get("component"))) if f.get("component") else None
    except registry.ConfigError:
        return []                           # the registry pass reports unknown components
    if ucls is None or fcls is None or not hasattr(ucls, "rescan") or hasattr(fcls, "resubscribe"):
        return []
    return [("universe", t("live.check.universe_feed", universe=u.get("component"), feed=f.get("component")))]


CHECKS = [daily_universe_feed]
