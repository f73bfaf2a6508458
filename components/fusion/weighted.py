"""Weighted fusion: preset weights per market class and tower role; absent towers renormalised and reported."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from pydantic import Field, model_validator

from registry import Params, register

ROLES = ("catboost", "sequence", "regime", "hfp")


def _default_weights() -> dict[str, dict[str, float]]:
    return {"majors": {"catboost": 0.50, "sequence": 0.25, "regime": 0.15, "hfp": 0.10},
            "alts": {"catboost": 0.60, "sequence": 0.05, "regime": 0.20, "hfp": 0.15},
            "emerging": {"catboost": 0.60, "sequence": 0.05, "regime": 0.20, "hfp": 0.15}}


@register("fusion", "weighted")
class WeightedFusion:
    """P = Σ w_role · p_tower / Σ w_role over the towers present (the spec's preset weights).

    Tower ids map to roles through `roles` (ssm and lstm are both the "sequence" role). Roles with no
    configured tower are dropped and the rest renormalised; `weights_for` says which were absent so the
    engine can report it. Towers without a role (baselines such as momentum_rule or random_entry) get
    `unmapped_weight`; when no mapped tower is present they share the weight equally, so a baseline-only
    config still trades.
    """

    class Params(Params):
        weights: dict[str, dict[str, float]] = Field(default_factory=_default_weights,
                                                     description="market_class -> role -> weight")
        roles: dict[str, str] = Field(
            default_factory=lambda: {"catboost": "catboost", "ssm": "sequence", "lstm": "sequence",
                                     "regime": "regime", "hfp": "hfp"},
            description="tower id -> role")
        unmapped_weight: float = Field(0.0, ge=0, description="weight of a tower with no role")

        @model_validator(mode="after")
        def _check(self):
            for cls_name, w in self.weights.items():
                bad = [r for r, v in w.items() if v < 0 or not math.isfinite(v)]
                if bad:
                    raise ValueError(f"weights.{cls_name}: negative or non-finite weight for {bad}")
                if sum(w.values()) <= 0:
                    raise ValueError(f"weights.{cls_name}: weights sum to 0")
            return self

    def __init__(self, p: "WeightedFusion.Params") -> None:
        self.p = p
        self._cache: dict[tuple, dict[str, float]] = {}

    def weights_for(self, tower_ids: Iterable[str], market_class: str = "majors") -> tuple[dict[str, float], list[str]]:
        """(normalised weight per present tower id, roles of the preset with no tower present)."""
        ids = list(tower_ids)
        table = self.p.weights.get(market_class) or self.p.weights.get("majors") or next(iter(self.p.weights.values()))
        raw = {}
        for tid in ids:
            role = self.p.roles.get(tid)
            raw[tid] = table.get(role, 0.0) if role else self.p.unmapped_weight
        present_roles = {self.p.roles.get(t) for t in ids}
        absent = [r for r, w in table.items() if w > 0 and r not in present_roles]
        total = sum(raw.values())
        if total <= 0:            # only unmapped towers: share equally
            return ({t: 1.0 / len(ids) for t in ids} if ids else {}), absent
        return {t: w / total for t, w in raw.items()}, absent

    def combine(self, scores: Mapping[str, float], market_class: str = "majors") -> float:
        key = (tuple(scores), market_class)
        w = self._cache.get(key)
        if w is None:
            w = self._cache[key] = self.weights_for(scores, market_class)[0]
        total, norm = 0.0, 0.0
        for tid, p in scores.items():
            if math.isfinite(p) and w[tid] > 0:     # a tower without an answer drops out this step
                total += w[tid] * p
                norm += w[tid]
        return total / norm if norm > 0 else math.nan

    def combine_many(self, scores: Mapping[str, np.ndarray], market_class: str = "majors") -> np.ndarray:
        """`combine` of every row of score columns (tower id -> column): the same operations in the same
        order per row, so the same floats (a replay's precomputed decisions)."""
        w = self.weights_for(scores, market_class)[0]
        n = len(next(iter(scores.values()))) if scores else 0
        total, norm = np.zeros(n), np.zeros(n)
        for tid, col in scores.items():
            if w[tid] > 0:
                col = np.asarray(col, np.float64)
                ok = np.isfinite(col)
                total = np.where(ok, total + w[tid] * col, total)
                norm = np.where(ok, norm + w[tid], norm)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(norm > 0, total / norm, np.nan)
