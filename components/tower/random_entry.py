"""random_entry tower: seeded coin flips at a target entry rate — the significance baseline at matched exposure."""
from __future__ import annotations

import zlib

import numpy as np
from pydantic import Field

from components.types.kinds import Tower
from registry import Params, register


@register("tower", "random_entry")
class RandomEntry(Tower):
    """Each call says `p_enter` with probability `entry_rate`, else `p_skip`; ignores the features.

    A strategy that cannot beat this at the same entry rate (same exposure, same exits and costs) has shown
    no skill. Seeded: the same seed and the same sequence of calls give the same answers; `step` draws from one
    stream per `context['market']`, so a replay that interleaves markets differently (a merge by timestamp
    against a session's arrival order) still gives every market the same answers. `fit` can match
    exposure: with `match_rate_of` rows of another tower's entry flags passed as `y`, it sets the rate to
    their mean (see `fit`).
    """
    outputs = ("p_up",)
    calibrated = False        # a rule's score, not a probability: no calibration_ece from it
    baseline = True           # a rule baseline: the walk-forward does not train it

    class Params(Params):
        entry_rate: float = Field(0.02, ge=0, le=1, description="share of decisions that signal an entry")
        p_enter: float = Field(0.9, ge=0, le=1, description="P(up) reported on an entry draw")
        p_skip: float = Field(0.1, ge=0, le=1, description="P(up) reported otherwise")
        seed: int = Field(0, description="RNG seed (same seed -> same draws)")

    def __init__(self, p: "RandomEntry.Params") -> None:
        self.p = p
        self.entry_rate = p.entry_rate
        self.reset()

    def reset(self) -> None:
        self._rng = np.random.default_rng(self.p.seed)
        self._by_market: dict[str, np.random.Generator] = {}

    def _stream(self, context: dict | None) -> np.random.Generator:
        market = (context or {}).get("market")
        if market is None:
            return self._rng
        rng = self._by_market.get(market)
        if rng is None:          # crc32, not hash(): str hashes change per process, the seed must not
            rng = self._by_market[market] = np.random.default_rng([self.p.seed, zlib.crc32(market.encode())])
        return rng

    def fit(self, X: np.ndarray, y: np.ndarray, feature_names: list[str], **kw) -> "RandomEntry":
        """Matched exposure: `entry_flags` (kw) = another strategy's 0/1 entries per decision -> rate = mean."""
        self.feature_names = list(feature_names)
        flags = kw.get("entry_flags")
        if flags is not None and len(flags):
            self.entry_rate = float(np.clip(np.mean(np.asarray(flags, float)), 0.0, 1.0))
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        n = int(np.asarray(X).reshape(len(X), -1).shape[0])
        hit = self._rng.random(n) < self.entry_rate
        return np.where(hit, self.p.p_enter, self.p.p_skip).reshape(-1, 1)

    def step(self, x: np.ndarray, context: dict | None = None) -> np.ndarray:
        hit = self._stream(context).random() < self.entry_rate
        return np.array([self.p.p_enter if hit else self.p.p_skip])
