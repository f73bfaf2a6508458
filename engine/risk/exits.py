"""Exit chain: the configured exits in priority order, with filters (fee_floor) vetoing non-stop exits."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import registry
from components.types.costs import CostModel
from components.types.orders import Position
from components.types.risk import ExitContext, ExitSignal


class ExitChain:
    """Builds `{id: node}` exits (dict order = priority) and returns the first exit every filter allows."""

    def __init__(self, nodes: Mapping[str, Any] | None, path: str = "exits") -> None:
        self.triggers: list[tuple[str, Any]] = []
        self.filters: list[tuple[str, Any]] = []
        self.costs = CostModel()
        problems: list[tuple[str, str]] = []
        for exit_id, node in (nodes or {}).items():
            try:
                obj = registry.build("exit", node, path=f"{path}.{exit_id}")
            except registry.ConfigError as e:
                problems.extend(e.problems)
                continue
            (self.filters if getattr(obj, "is_filter", False) else self.triggers).append((exit_id, obj))
        if problems:
            raise registry.ConfigError(problems)

    @property
    def reads_expectation(self) -> bool:
        """True when some exit acts on the model's expected further return (ExitContext.expected_return)."""
        return any(getattr(obj, "reads_expected_return", False) for _, obj in self.triggers + self.filters)

    def bind_costs(self, costs: CostModel) -> None:
        """One cost model for the chain's own peak tracking and every exit that prices a sale."""
        self.costs = costs
        for _, obj in self.triggers + self.filters:
            if hasattr(obj, "bind_costs"):
                obj.bind_costs(costs)

    def check(self, position: Position, price: float, ts_ms: int,
              context: ExitContext | None = None) -> ExitSignal | None:
        """First triggered exit not vetoed by a filter (a vetoed exit lets later ones speak). Updates the
        position's peak net return afterwards so trails see the best level reached so far."""
        if position.volume <= 0:
            return None
        chosen = None
        for exit_id, obj in self.triggers:
            sig = obj.check(position, price, ts_ms, context)
            if sig is None:
                continue
            if all(f.allows(position, price, sig, context) for _, f in self.filters):
                chosen = dataclasses.replace(sig, reason=exit_id,
                                             rests_limit=bool(getattr(obj, "rests_limit", False)))
                break
        position.peak_return = max(position.peak_return, position.net_return(price, self.costs.fee_rate))
        return chosen
