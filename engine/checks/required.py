"""Settings no component model can refuse alone: a deleted exchange/feed node, URLs that are not URLs, a
universe listing a market twice."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from omegaconf import DictConfig

from engine.conf import plain
from engine.i18n import t

REQUIRED = ("exchange", "feed")          # every command builds both; `~exchange` would fail only mid-run
HTTP, ANY = ("http", "https"), ("http", "https", "ws", "wss")


def required_nodes(cfg: DictConfig) -> list[tuple[str, str]]:
    return [(g, t("settings.required_node", group=g)) for g in REQUIRED
            if not isinstance(plain(cfg.get(g)), dict) or not plain(cfg.get(g))]


def _urls(node: Any, path: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            sub = f"{path}.{k}"
            if isinstance(v, (dict, list)):
                out.extend(_urls(v, sub))
            elif str(k) in ("url", "base_url", "rest_url") and v is not None:
                schemes = ANY if str(k) == "url" else HTTP
                try:
                    u = urlsplit(str(v))
                    ok = u.scheme in schemes and bool(u.hostname) and (u.port is None or u.port > 0)
                except ValueError:              # a bad port or bracket: not a URL either
                    ok = False
                if not ok:
                    out.append((sub, t("settings.bad_url", schemes="|".join(schemes))))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_urls(v, f"{path}[{i}]"))
    return out


def url_values(cfg: DictConfig) -> list[tuple[str, str]]:
    """Hosts the engine connects to (exchange.base_url, feed.url, feed.rest_url, ...): scheme and host."""
    out: list[tuple[str, str]] = []
    for group in ("exchange", "feed", "alerts"):
        out.extend(_urls(plain(cfg.get(group)), group))
    return out


def universe_markets(cfg: DictConfig) -> list[tuple[str, str]]:
    markets = (plain(cfg.get("universe")) or {}).get("markets") if isinstance(plain(cfg.get("universe")), dict) else None
    if not isinstance(markets, list):
        return []
    twice = sorted({str(m) for m in markets if markets.count(m) > 1})
    return [("universe.markets", t("settings.market_twice", market=", ".join(repr(m) for m in twice)))] if twice \
        else []


CHECKS = [required_nodes, url_values, universe_markets]
