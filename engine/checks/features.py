"""Link check: every selected feature's needed event kinds (candle/trade/book) must be provided by the feed."""
from __future__ import annotations

import difflib
import inspect
from typing import Any

from omegaconf import DictConfig, OmegaConf

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
    if inspect.isasyncgenfunction(getattr(feed, "events", None)):
        return []                  # a live feed: checked for paper/live only (checks/live_ready.py); `record` needs none
    try:
        per_market = {m: set(feed.provides([m])) for m in markets} if markets else {"*": set(feed.provides(None))}
    except Exception as e:         # e.g. the data folder is missing: say so, do not guess
        return [(f"features.{fid}", t("features.check.feed_unreadable", detail=f"{type(e).__name__}: {e}"))
                for fid in wanting]
    # A market lacking data other markets of the feed have is a market problem: one line naming them. A kind
    # no market of the feed provides is the features' problem: one line per feature (as before).
    problems, feature_short = [], {}
    for m, have in per_market.items():
        users = {fid: needs - have for fid, (_, needs) in wanting.items() if needs - have}
        if not users:
            continue
        missing = set().union(*users.values())
        available = _markets_with(feed, missing, m)
        if not available:          # no market of the feed has it: the features' problem (or, with no data
            if have:               # at all, a feed question this check does not answer)
                feature_short[m] = have
            continue
        problems.append(("markets", t(
            "features.check.market_lacks", market=m, hint=_close_market(feed, m) if not have else "",
            feed=feed_node.get("component"), missing="+".join(sorted(missing)),
            has="+".join(sorted(have)) or t("check.feed_no_data"), n=len(users), features=_short_list(list(users)),
            available=_short_list(available) or "-")))
    for fid, (component, needs) in wanting.items():
        short = {m: needs - have for m, have in feature_short.items() if needs - have}
        if not short:
            continue
        provides = set.intersection(*(feature_short[m] for m in short))
        problems.append((f"features.{fid}", t(
            "features.check.needs_missing", feature=fid, component=component,
            needs="+".join(sorted(needs)), feed=feed_node.get("component"),
            provides="+".join(sorted(provides)) or "nothing", markets=",".join(sorted(short)))))
    return problems


def _layout(feed: Any) -> Any:
    """The feed's file layout, or None (no layout, or its folder is missing: the feed check says so)."""
    try:
        return feed.layout() if hasattr(feed, "layout") else None
    except (OSError, ValueError):
        return None


def _close_market(feed: Any, market: str) -> str:
    from engine.cli import suggest
    lay = _layout(feed)
    return suggest(market, lay.markets()) if lay is not None else ""


def _short_list(items: list[str], n: int = 6) -> str:
    return ", ".join(items[:n]) + (f", … (+{len(items) - n})" if len(items) > n else "")


def _markets_with(feed: Any, kinds: set[str], like: str) -> list[str]:
    """Markets of the feed with the same quote currency as `like` (KRW-...) that provide every kind in `kinds`."""
    lay = _layout(feed)
    if lay is None:
        return []
    quote = like.split("-", 1)[0] + "-"
    close = difflib.get_close_matches(like, lay.markets(), n=3, cutoff=0.75)
    cands = close + [c for c in lay.markets() if c not in close]
    out = []
    for c in cands:
        if c.startswith(quote) and c != like:
            try:
                if kinds <= set(feed.provides([c])):
                    out.append(c)
            except Exception:   # noqa: BLE001  a market the feed cannot read is simply not offered
                continue
    return out


CHECKS = [feature_feed_needs]
