"""Link check: a tower that needs trades/books (e.g. `hfp`) is refused on a feed that provides only candles."""
from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

import registry
from engine.i18n import t


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node


def tower_tick_needs(cfg: DictConfig) -> list[tuple[str, str]]:
    towers = _plain(cfg.get("towers")) or {}
    feed_node = _plain(cfg.get("feed"))
    if not towers or not isinstance(feed_node, dict):
        return []
    registry.load_all()
    wanting: list[tuple[str, set[str]]] = []
    for tid, node in towers.items():
        if not isinstance(node, dict) or "component" not in node:
            continue
        try:
            cls = registry.get("tower", str(node["component"]))
        except registry.ConfigError:
            continue               # the registry pass already reports unknown components
        needs = set(getattr(cls, "needs", ()) or ()) & {"trade", "book"}
        if needs:
            wanting.append((tid, needs))
    if not wanting:
        return []
    markets = list(_plain(cfg.get("markets")) or [])
    try:
        feed = registry.build("feed", feed_node, path="feed")
        provides = set(feed.provides(markets)) if hasattr(feed, "provides") else set(feed_node.get("kinds") or ())
    except registry.ConfigError:
        return []                  # reported by the registry pass
    except Exception as e:         # e.g. data folder missing: say so at the tower, do not guess
        return [(f"towers.{tid}", t("check.feed_unreadable", detail=f"{type(e).__name__}: {e}"))
                for tid, _ in wanting]
    problems = []
    for tid, needs in wanting:
        missing = needs - provides
        if missing:
            problems.append((f"towers.{tid}", t("check.tower_needs_ticks", tower=tid, needs="+".join(sorted(needs)),
                                                feed=feed_node.get("component"),
                                                provides="+".join(sorted(provides)) or t("check.feed_no_data"),
                                                markets=",".join(markets))))
    return problems


CHECKS = [tower_tick_needs]
