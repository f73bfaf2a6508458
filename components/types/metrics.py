"""Engine-published metrics (name -> float) that kill switches and exporters read; units in the name."""
from __future__ import annotations

import math


class Metrics:
    """A flat name -> value map; unknown names read as NaN so a switch can tell 'no signal yet'."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, float] | None = None) -> None:
        self._values: dict[str, float] = dict(values or {})

    def set(self, name: str, value: float) -> None:
        self._values[name] = float(value)

    def set_floats(self, items) -> None:
        """Several (name, value) pairs at once; the values are floats already (a kernel's results)."""
        self._values.update(items)

    def inc(self, name: str, by: float = 1.0) -> None:
        self._values[name] = self._values.get(name, 0.0) + by

    def get(self, name: str, default: float = math.nan) -> float:
        return self._values.get(name, default)

    def values_of(self, names: tuple[str, ...]) -> tuple:
        """The current values of `names` (None where unpublished): a cheap fingerprint to tell a change."""
        return tuple(map(self._values.get, names))

    def as_dict(self) -> dict[str, float]:
        return dict(self._values)
