"""Build the run's one cost model from the `exchange` and `fill_model` config, and hand it to whoever prices trades."""
from __future__ import annotations

from typing import Any

import registry
from components.types.costs import CostModel


def build_cost_model(cfg: Any) -> CostModel:
    """Cost model of a composed config: fee, minimum order and tick overrides from `cfg.exchange`; spread
    floor and source, slippage and latency from `cfg.fill_model`. A node without those keys (the live
    exchange) keeps the Upbit defaults. Config errors name the dotted path."""
    get = (lambda k: cfg.get(k)) if cfg is not None and hasattr(cfg, "get") else (lambda k: None)
    ex_node, fm_node = get("exchange"), get("fill_model")
    ex_p = registry.parse_params("exchange", ex_node, path="exchange")[1] if ex_node else None
    fm_p = registry.parse_params("fill_model", fm_node, path="fill_model")[1] if fm_node else None
    return CostModel.from_params(ex_p, fm_p)


def bind_costs(costs: CostModel, *users: Any) -> None:
    """`bind_costs(costs)` on every object that takes it (None and objects without the method are skipped)."""
    for user in users:
        bind = getattr(user, "bind_costs", None)
        if bind is not None:
            bind(costs)
