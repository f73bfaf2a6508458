"""Per-market-class models: which class each market is, one config per class, and the decision routes
(class towers, entry threshold, sizing cap) of a bot whose markets span classes (root `classes`)."""
from __future__ import annotations

import inspect
import math
import types
from dataclasses import dataclass, field
from typing import Any

from engine.conf import plain


def _node(cfg: Any) -> dict:
    return plain(cfg.get("classes")) or {} if cfg is not None else {}


def class_of(cfg: Any, market: str) -> str:
    """The market's class: `classes.markets[market]`, else the root market_class."""
    return str((_node(cfg).get("markets") or {}).get(market) or cfg.get("market_class", "majors"))


def routed(cfg: Any) -> bool:
    """Routing is on once `classes.markets` names a market."""
    return bool(_node(cfg).get("markets"))


def class_groups(cfg: Any) -> dict[str, list[str]]:
    """class -> the bot's markets of that class when `classes.per_class`; else one group (market_class)."""
    markets = [str(m) for m in cfg.markets]
    if not _node(cfg).get("per_class"):
        return {str(cfg.get("market_class", "majors")): markets}
    out: dict[str, list[str]] = {}
    for m in markets:
        out.setdefault(class_of(cfg, m), []).append(m)
    return out


def class_cfg(cfg: Any, cls: str, markets: list[str]) -> Any:
    """A copy of the (job) config for one class: its markets, market_class = cls, no routing."""
    from omegaconf import OmegaConf
    data = OmegaConf.to_container(cfg, resolve=True)
    data.update(markets=list(markets), market_class=cls)
    data["classes"] = {**(data.get("classes") or {}), "markets": None, "per_class": False, "models": None}
    return OmegaConf.create(data)


# -- decision routes ---------------------------------------------------------------------------------
@dataclass
class Route:
    """What the decisions of one class's markets use: its towers (None = the pipeline's), its entry rule (the
    pipeline's with the class's overrides) and the cap of one entry (percent of the KRW balance)."""
    market_class: str
    towers: dict | None = None
    overrides: dict = field(default_factory=dict)
    cap_pct: float = math.nan
    base_entry: Any = None            # a class model's own entry rule (its fitted map); None = the pipeline's
    entry: Any = None


def build_routes(cfg: Any, feature_names: list[str], providers: dict | None, problems: list) -> dict[str, Route]:
    """market -> Route of every market when routing is on ({} otherwise); class towers from `classes.models`."""
    if not routed(cfg):
        return {}
    import registry
    from engine.models.bundle import load_towers
    node = _node(cfg)
    by_class: dict[str, Route] = {}
    out = {}
    for m in cfg.markets:
        cls = class_of(cfg, str(m))
        if cls not in by_class:
            route = Route(cls, overrides=dict((node.get("entry") or {}).get(cls) or {}),
                          cap_pct=float((node.get("sizing_cap_pct") or {}).get(cls, math.nan)))
            paths = (node.get("models") or {}).get(cls)
            if paths:
                try:
                    route.towers = load_towers(cfg, paths, feature_names, providers)
                except registry.ConfigError as e:
                    problems.extend((f"classes.models.{cls}.{p.split('.', 1)[-1]}", msg) for p, msg in e.problems)
            by_class[cls] = route
        out[str(m)] = by_class[cls]
    return out


class ClassEntry:
    """The pipeline's entry rule seen with one class's parameters: its methods run on this view, so `self.p` is
    the class's while everything else (fitted map, the cost model bound later) is read from the base rule."""

    def __init__(self, base: Any, p: Any) -> None:
        self._base = base
        self.p = p

    def __getattr__(self, name: str) -> Any:
        attr = getattr(type(self._base), name, None)
        if inspect.isfunction(attr):                 # a method: run it on this view
            return types.MethodType(attr, self)
        return getattr(self._base, name)


def derive_entry(entry: Any, overrides: dict) -> Any:
    """`entry` with the overrides its parameters know (a preset names thresholds of several entry rules:
    min_edge_pct, min_prob); the rule itself when none applies."""
    if entry is None or not overrides or not hasattr(entry, "p"):
        return entry
    known = {k: v for k, v in overrides.items() if k in type(entry.p).model_fields}
    if not known:
        return entry
    return ClassEntry(entry, type(entry.p)(**{**entry.p.model_dump(), **known}))   # validated like the config


def refresh_routes(routes: dict[str, Route], entry: Any) -> None:
    """Derive each class's entry rule from its base (the class model's, else the pipeline's `entry`)."""
    for route in {id(r): r for r in routes.values()}.values():
        route.entry = derive_entry(route.base_entry if route.base_entry is not None else entry, route.overrides)


def capped(size_krw: float, route: Route | None, balance_krw: float) -> float:
    """The size limited by the class's cap (percent of the KRW balance); unchanged without a cap."""
    if route is None or not math.isfinite(route.cap_pct) or size_krw <= 0:
        return size_krw
    return min(size_krw, route.cap_pct / 100.0 * balance_krw)
