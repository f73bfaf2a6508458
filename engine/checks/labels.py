"""Link check: a label that needs tick data (e.g. `direction`, ±0.05 % in 5 s) is refused on candle-only feeds."""
from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

import registry
from engine.i18n import t


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node


def label_tick_needs(cfg: DictConfig) -> list[tuple[str, str]]:
    labels = _plain(cfg.get("labels")) or {}
    feed_node = _plain(cfg.get("feed"))
    if not labels or not isinstance(feed_node, dict):
        return []
    wanting = []
    for lid, node in labels.items():
        if not isinstance(node, dict) or "component" not in node:
            continue
        try:
            cls = registry.get("label", str(node["component"]))
        except registry.ConfigError:
            continue                      # reported by the registry pass
        needs = set(getattr(cls, "needs", ()) or ()) & {"trade", "book"}
        if needs:
            wanting.append((lid, needs))
    if not wanting:
        return []
    markets = list(_plain(cfg.get("markets")) or [])
    try:
        feed = registry.build("feed", feed_node, path="feed")
        provides = set(feed.provides(markets)) if hasattr(feed, "provides") else set(feed_node.get("kinds") or ())
    except registry.ConfigError:
        return []
    except Exception as e:                # missing data folder: say so, do not guess
        return [(f"labels.{lid}", t("check.feed_unreadable", detail=f"{type(e).__name__}: {e}")) for lid, _ in wanting]
    return [(f"labels.{lid}", t("check.label_needs_ticks", label=lid, needs="+".join(sorted(needs)),
                                provides="+".join(sorted(provides)) or "nothing"))
            for lid, needs in wanting if needs - provides]


CHECKS = [label_tick_needs]
