"""Link check: labels and towers that need trades/books (e.g. `direction`, `hfp`) are refused on a feed that
provides only candles — one walk over both groups, each named in its own words."""
from __future__ import annotations

from typing import Callable

from omegaconf import DictConfig

import registry
from engine.conf import plain
from engine.i18n import t

TICK_KINDS = frozenset({"trade", "book"})


def _tick_needs(cfg: DictConfig, group: str, kind: str,
                say: Callable[[str, set, set, str, list], str]) -> list[tuple[str, str]]:
    """Every `group` node whose component class needs trade/book events the configured feed lacks."""
    nodes = plain(cfg.get(group)) or {}
    feed_node = plain(cfg.get("feed"))
    if not nodes or not isinstance(feed_node, dict):
        return []
    wanting: list[tuple[str, set[str]]] = []
    for cid, node in nodes.items():
        if not isinstance(node, dict) or "component" not in node:
            continue
        try:
            cls = registry.get(kind, str(node["component"]))
        except registry.ConfigError:
            continue                      # the registry pass already reports unknown components
        needs = set(getattr(cls, "needs", ()) or ()) & TICK_KINDS
        if needs:
            wanting.append((str(cid), needs))
    if not wanting:
        return []
    markets = list(plain(cfg.get("markets")) or [])
    try:
        feed = registry.build("feed", feed_node, path="feed")
        provides = set(feed.provides(markets)) if hasattr(feed, "provides") else set(feed_node.get("kinds") or ())
    except registry.ConfigError:
        return []                         # reported by the registry pass
    except Exception as e:                # e.g. data folder missing: say so at the component, do not guess
        return [(f"{group}.{cid}", t("check.feed_unreadable", detail=f"{type(e).__name__}: {e}")) for cid, _ in wanting]
    return [(f"{group}.{cid}", say(cid, needs, provides, str(feed_node.get("component")), markets))
            for cid, needs in wanting if needs - provides]


def label_tick_needs(cfg: DictConfig) -> list[tuple[str, str]]:
    return _tick_needs(cfg, "labels", "label", lambda lid, needs, provides, feed, markets: t(
        "check.label_needs_ticks", label=lid, needs="+".join(sorted(needs)),
        provides="+".join(sorted(provides)) or "nothing"))


def tower_tick_needs(cfg: DictConfig) -> list[tuple[str, str]]:
    return _tick_needs(cfg, "towers", "tower", lambda tid, needs, provides, feed, markets: t(
        "check.tower_needs_ticks", tower=tid, needs="+".join(sorted(needs)), feed=feed,
        provides="+".join(sorted(provides)) or t("check.feed_no_data"), markets=",".join(markets)))


CHECKS = [label_tick_needs, tower_tick_needs]
