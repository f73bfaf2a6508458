"""Link check: every selected feature's needed event kinds (candle/trade/book) must be provided by the feed."""
from __future__ import annotations

from omegaconf import DictConfig

import registry
from engine.conf import plain
from engine.i18n import t


def _built_needs(features: dict) -> dict[str, tuple[str, frozenset[str]]]:
    """id -> (component, needs) of every feature that builds (bad nodes are the registry pass's to report)."""
    out = {}
    for fid, node in features.items():
        try:
            f = registry.build("feature", node, path=f"features.{fid}")
        except (registry.ConfigError, ValueError, TypeError):
            continue
        out[str(fid)] = (str(node.get("component")), frozenset(f.needs))
    return out


def feature_feed_needs(cfg: DictConfig) -> list[tuple[str, str]]:
    features = plain(cfg.get("features")) or {}
    feed_node = plain(cfg.get("feed"))
    if not features or not isinstance(feed_node, dict) or not isinstance(features, dict):
        return []
    registry.load_all()
    wanting = {fid: v for fid, v in _built_needs(features).items() if v[1]}
    if not wanting:
        return []
    markets = [str(m) for m in (plain(cfg.get("markets")) or [])]
    try:
        feed = registry.build("feed", feed_node, path="feed")
    except registry.ConfigError:
        return []                  # reported by the registry pass
    if not hasattr(feed, "provides"):
        return []                  # a feed that cannot say what it provides is not checked here
    try:
        per_market = {m: set(feed.provides([m])) for m in markets} if markets else {"*": set(feed.provides(None))}
    except Exception as e:         # e.g. the data folder is missing: say so, do not guess
        return [(f"features.{fid}", t("features.check.feed_unreadable", detail=f"{type(e).__name__}: {e}"))
                for fid in wanting]
    # a market with no data at all is the feed check's problem, not a feature mismatch
    per_market = {m: have for m, have in per_market.items() if have}
    problems = []
    for fid, (component, needs) in wanting.items():
        short = {m: needs - have for m, have in per_market.items() if needs - have}
        if not short:
            continue
        provides = set.intersection(*(per_market[m] for m in short))
        problems.append((f"features.{fid}", t(
            "features.check.needs_missing", feature=fid, component=component,
            needs="+".join(sorted(needs)), feed=feed_node.get("component"),
            provides="+".join(sorted(provides)) or "nothing", markets=",".join(sorted(short)))))
    return problems


CHECKS = [feature_feed_needs]
