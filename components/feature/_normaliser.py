"""Base of normalisers: features that wrap another feature's output with ROLLING statistics only."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field, model_validator

from components.feature._base import FeatureParams, encode, encode_stream, new_state
from components.types.kinds import Feature
from registry import ConfigError, build, parse_params


class NormaliserParams(FeatureParams):
    """The wrapped feature is a full feature node (validated with its own params)."""
    inner: dict[str, Any] = Field(default_factory=lambda: {"component": "roc_1m"},
                                  description="node of the wrapped feature, e.g. {component: rsi_14}")
    output: str | None = Field(None, description="which output of the wrapped feature (default: its first)")
    window: int = Field(100, ge=2, description="samples of the wrapped feature in the rolling window")

    @model_validator(mode="after")
    def _inner_valid(self):
        try:
            parse_params("feature", self.inner, "inner")
        except ConfigError as e:
            raise ValueError("; ".join(e.lines())) from None
        return self


class Normaliser(Feature):
    """Samples the wrapped feature each time it consumes an event (and is finite), then applies `kernel`.

    State array s: [value, window, ring(cap window)]; `kernel(s, x)` is the module's numba function,
    shared by the online and batch forms."""
    kernel: ClassVar[Any]
    batch_kernel: ClassVar[Any]

    def __init__(self, p: NormaliserParams) -> None:
        self.p = p
        # the normaliser's on_invalid applies to the wrapped feature unless that node sets its own
        self.inner = build("feature", {"on_invalid": p.on_invalid, **p.inner}, path="inner")
        outs = tuple(self.inner.outputs)
        if p.output is not None and p.output not in outs:
            raise ConfigError([("output", f"'{p.output}' is not an output of {p.inner.get('component')}: "
                                          f"{', '.join(outs)}")])
        self.col = outs.index(p.output) if p.output is not None else 0
        self.needs = frozenset(self.inner.needs)
        self._row = np.empty(8)
        self.reset()

    @property
    def outputs(self) -> tuple[str, ...]:
        return ("value",)

    @property
    def listen_kinds(self) -> frozenset[str]:
        return self.inner.listen_kinds

    @property
    def warmup(self) -> int:
        return int(self.inner.warmup) + self.p.window - 1

    @property
    def invalid_count(self) -> int:
        return self.inner.invalid_count

    def reset(self) -> None:
        self.inner.reset()
        self.s = new_state(1, 2 + self.p.window + 1)
        self.s[1] = self.p.window

    def update(self, event: Any) -> None:
        self._row = encode(event, self._row)
        self.apply_row(self._row)

    def apply_row(self, row: np.ndarray) -> bool:
        used = self.inner.apply_row(row)
        if used:
            type(self).kernel(self.s, float(self.inner.s[self.col]))
        return used

    def value(self) -> np.ndarray:
        return self.s[:1].copy()

    def batch(self, stream: Any, rows: np.ndarray | None = None) -> np.ndarray:
        return self.batch_rows(encode_stream(stream) if rows is None else rows)[0]

    def batch_rows(self, E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vals, used = self.inner.batch_rows(E)
        s = new_state(1, 2 + self.p.window + 1)
        s[1] = self.p.window
        out = np.empty((E.shape[0], 1))
        type(self).batch_kernel(s, np.ascontiguousarray(vals[:, self.col]), used, out)
        return out, used
