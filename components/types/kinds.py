"""Base classes: the methods the engine calls on each component kind (one place to read the contracts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np


class Feature:
    """Online and batch form of one or more feature columns for ONE market.

    `update(event)` is O(1) and is called with every event of the market whose kind is in `needs`
    ("candle" | "trade" | "book"); `value()` returns the current outputs (NaN while not warm).
    `batch(stream)` computes over a whole `MarketStream` and returns shape (len(stream), len(outputs)):
    row i equals `value()` right after the i-th event of the merged stream was offered to `update`
    (events of kinds the feature does not need leave the value unchanged). A test proves equality.
    """
    needs: ClassVar[frozenset[str]] = frozenset()
    # Capabilities the engine asks for (e.g. "hurst", "vol_regime", "vpin", "kyle_lambda"): the feature's
    # first output is that quantity whatever id the config gives the instance (FeatureSet.column).
    provides: ClassVar[tuple[str, ...]] = ()

    @property
    def outputs(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def warmup(self) -> int:
        """Events of the needed kind(s) before `value()` is finite."""
        return 0

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, event: Any) -> None:
        raise NotImplementedError

    def value(self) -> np.ndarray:
        raise NotImplementedError

    def ready(self) -> bool:
        return bool(np.all(np.isfinite(self.value())))

    def batch(self, stream: Any) -> np.ndarray:
        raise NotImplementedError


class Tower:
    """A model: fit on history, predict in bulk, step online. Column 0 of outputs is P(label=1).

    The engine calls `bind(feature_names)` once before `step`/`predict` with the FeatureSet's column
    names, so rule towers can find their inputs by name and trained towers can refuse a mismatch; before
    that, `bind_providers({capability: feature id})` says which feature provides what under which id.
    """
    outputs: ClassVar[tuple[str, ...]] = ("p_up",)
    # What the engine asks a tower instead of its id or component name:
    trainable: ClassVar[bool] = False        # True: cannot step before fit/load (a backtest must train it first)
    sequential: ClassVar[bool] = False       # True: rows form a per-market sequence (recurrent state, groups=)
    needs_ticks: ClassVar[bool] = False      # True: needs trades/books; the walk-forward on closed bars skips it
    baseline: ClassVar[bool] = False         # True: a rule baseline, not a model the walk-forward trains
    feature_names: list[str] | None = None
    providers: dict[str, str] = {}           # capability -> id of the feature providing it (bind_providers)

    def bind_providers(self, providers: dict[str, str]) -> None:
        self.providers = dict(providers)

    def bind(self, feature_names: list[str]) -> None:
        self.feature_names = list(feature_names)

    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], **kw: Any) -> "Tower":
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        return self.predict(np.asarray(x, dtype=float).reshape(1, -1))[0]


@dataclass(frozen=True, slots=True)
class Trip:
    """A kill-switch trip: action in {block_entries, scale_size, pause, cancel_all, flatten, halt}.

    `reason` is a message-catalog key (engine/messages/risk.py) formatted with `values` by the engine;
    `market` scopes the trip to one market ("" = the whole account).
    """
    switch: str
    action: str
    reason: str
    factor: float = 1.0          # for scale_size
    seconds: float = 0.0         # for pause / expiry of the trip
    market: str = ""
    values: dict = field(default_factory=dict)
