"""Learned fusion: tower weights refit on a rolling window to maximise the net-of-fee Sharpe of the
decisions they produce, shrunk towards the preset weights; every refit is logged (JSON line)."""
from __future__ import annotations

import itertools
import json
import logging
import math
from collections import deque
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from components.types.costs import UsesCosts
from registry import Params, register

log = logging.getLogger("scalp.fusion.learned")

DEFAULT_ROLES = {"catboost": "catboost", "ssm": "sequence", "lstm": "sequence", "regime": "regime",
                 "hfp": "hfp"}
# The spec's preset weights per market class (roles, not tower ids); emerging follows alts.
DEFAULT_PRIOR = {
    "majors": {"catboost": 0.50, "sequence": 0.25, "regime": 0.15, "hfp": 0.10},
    "alts": {"catboost": 0.60, "sequence": 0.05, "regime": 0.20, "hfp": 0.15},
    "emerging": {"catboost": 0.60, "sequence": 0.05, "regime": 0.20, "hfp": 0.15},
}


def simplex_grid(k: int, step: float) -> np.ndarray:
    """All weight vectors of length k on the simplex with coordinates in multiples of `step`."""
    m = int(round(1.0 / step))
    pts = [c for c in itertools.product(range(m + 1), repeat=k - 1) if sum(c) <= m]
    return np.array([list(c) + [m - sum(c)] for c in pts], np.float64) / m


def decision_sharpe(P: np.ndarray, W: np.ndarray, returns: np.ndarray, threshold: float,
                    cost_frac: float) -> tuple[np.ndarray, np.ndarray]:
    """Per weight row of W: Sharpe (mean/std per observation) of pnl_t = 1[P_t.w >= threshold] *
    (returns_t - cost_frac), and the number of entries. No entries -> Sharpe 0."""
    enter = (P @ W.T) >= threshold                                   # (n, G)
    pnl = enter * (returns - cost_frac)[:, None]
    mean, std = pnl.mean(0), pnl.std(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(std > 0, mean / std, 0.0)
    return sharpe, enter.sum(0)


@register("fusion", "learned")
class LearnedFusion(UsesCosts):
    """Weighted P(up) with weights refit on a rolling window for net-of-fee Sharpe, shrunk to the preset.

    Every `refit_every_obs` outcomes, on the last `window_obs`: the simplex grid point maximising the
    Sharpe of `p >= threshold` entries net of the cost model's round trip (both fees, spread at its floor,
    slippage) wins, then
    w = (1 - shrink) * w_best + shrink * w_preset. Absent towers are dropped and weights renormalised."""

    class Params(Params):
        roles: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_ROLES),
                                      description="tower id -> role (catboost, sequence, regime, hfp)")
        weights: dict[str, dict[str, float]] = Field(default_factory=lambda: json.loads(json.dumps(DEFAULT_PRIOR)),
                                                           description="market_class -> role -> preset weight")
        window_obs: int = Field(2000, ge=20, description="rolling window of realised outcomes per refit")
        refit_every_obs: int = Field(500, ge=1, description="refit after this many new outcomes")
        min_obs: int = Field(200, ge=10, description="no refit before this many outcomes")
        min_entries: int = Field(20, ge=1, description="a candidate needs this many entries to count")
        shrink: float = Field(0.5, ge=0, le=1, description="pull towards the preset weights (1 = never learn)")
        grid_step: float = Field(0.05, gt=0, le=0.5, description="weight grid resolution")
        threshold: float = Field(0.60, gt=0, lt=1, description="fused P(up) that counts as an entry")

        @model_validator(mode="after")
        def _window_covers_minimum(self):
            if self.min_obs > self.window_obs:
                raise ValueError(f"min_obs ({self.min_obs}) must be <= window_obs ({self.window_obs})")
            return self

    def __init__(self, p: "LearnedFusion.Params") -> None:
        self.p = p
        self.weights: dict[str, dict[str, float]] = {}      # market_class -> tower id -> weight
        self.refits: list[dict[str, Any]] = []
        self._buf: dict[str, deque] = {}
        self._since: dict[str, int] = {}

    @property
    def cost_frac(self) -> float:
        """Round trip cost charged to every scored entry (outcomes carry no market or price)."""
        return float(self.costs.round_trip_cost_frac(""))

    # --- weights -----------------------------------------------------------------------------------
    def weights_for(self, tower_ids: list[str], market_class: str) -> tuple[dict[str, float], list[str]]:
        """Current weights over the present towers (renormalised) and the preset roles with no tower."""
        prior = self.p.weights.get(market_class) or self.p.weights.get("majors", {})
        learned = self.weights.get(market_class, {})
        raw = {t: learned.get(t, prior.get(self.p.roles.get(t, t), 0.0)) for t in tower_ids}
        total = sum(raw.values())
        present_roles = {self.p.roles.get(t, t) for t in tower_ids}
        absent = sorted(r for r, w in prior.items() if w > 0 and r not in present_roles)
        if total <= 0:
            return {t: 1.0 / len(tower_ids) for t in tower_ids} if tower_ids else {}, absent
        return {t: w / total for t, w in raw.items()}, absent

    def combine(self, scores: dict[str, float], market_class: str = "majors") -> float:
        """Fused P(up); NaN scores (a tower not ready) count as absent."""
        live = {t: float(s) for t, s in scores.items() if s is not None and math.isfinite(float(s))}
        if not live:
            return math.nan
        w, _ = self.weights_for(list(live), market_class)
        return sum(w[t] * live[t] for t in live)

    # --- learning ----------------------------------------------------------------------------------
    def record(self, scores: dict[str, float], realized_return: float, market_class: str = "majors") -> None:
        """Add one realised outcome (the fractional return of entering at the decision that produced
        `scores`); refits when `refit_every_obs` new outcomes have arrived."""
        buf = self._buf.setdefault(market_class, deque(maxlen=self.p.window_obs))
        buf.append((dict(scores), float(realized_return)))
        self._since[market_class] = self._since.get(market_class, 0) + 1
        if self._since[market_class] >= self.p.refit_every_obs and len(buf) >= self.p.min_obs:
            ids = sorted({t for s, _ in buf for t in s})
            S = np.array([[s.get(t, np.nan) for t in ids] for s, _ in buf], np.float64)
            r = np.array([x for _, x in buf])
            self.fit(S, None, ids, returns=r, market_class=market_class)

    def fit(self, S: np.ndarray, y: np.ndarray | None, tower_ids: list[str], *, returns: np.ndarray | None = None,
            market_class: str = "majors") -> dict[str, float]:
        """Refit on outputs S (n x k, tower order = tower_ids) and realised forward returns (fractions).
        `y` is accepted for the fusion interface but unused: the objective is PnL, not accuracy."""
        if returns is None:
            raise ValueError("fusion.learned: fit needs `returns` (realised fractional return per row)")
        S, r = np.asarray(S, np.float64), np.asarray(returns, np.float64).reshape(-1)
        S, r = S[-self.p.window_obs:], r[-self.p.window_obs:]
        # A tower that was absent (NaN) reads as the row's mean of the others: it neither helps nor hurts.
        row_mean = np.nanmean(np.where(np.isfinite(S), S, np.nan), axis=1, keepdims=True)
        S = np.where(np.isfinite(S), S, np.nan_to_num(row_mean, nan=0.5))
        ok = np.isfinite(r)
        S, r = S[ok], r[ok]
        before, _ = self.weights_for(list(tower_ids), market_class)
        prior_w = self._prior_vector(tower_ids, market_class)
        w_before = np.array([before[t] for t in tower_ids])
        grid = simplex_grid(len(tower_ids), self.p.grid_step)
        sharpe, entries = decision_sharpe(S, grid, r, self.p.threshold, self.cost_frac)
        sharpe = np.where(entries >= self.p.min_entries, sharpe, -np.inf)
        if len(r) < self.p.min_obs or not np.isfinite(sharpe).any():
            w_after, best = w_before, None         # not enough evidence: keep what we have
        else:
            best = grid[int(np.argmax(sharpe))]
            w_after = (1 - self.p.shrink) * best + self.p.shrink * prior_w
        (s_before,), (n_before,) = decision_sharpe(S, w_before[None], r, self.p.threshold, self.cost_frac)
        (s_after,), (n_after,) = decision_sharpe(S, w_after[None], r, self.p.threshold, self.cost_frac)
        after = {t: float(w) for t, w in zip(tower_ids, w_after)}
        self.weights[market_class] = after
        self._since[market_class] = 0
        entry = {"event": "fusion_refit", "market_class": market_class, "n_obs": int(len(r)),
                 "before": {t: round(float(w), 4) for t, w in before.items()},
                 "after": {t: round(w, 4) for t, w in after.items()},
                 "best_unshrunk": None if best is None else {t: round(float(w), 4) for t, w in zip(tower_ids, best)},
                 "sharpe_before": round(float(s_before), 6), "sharpe_after": round(float(s_after), 6),
                 "entries_before": int(n_before), "entries_after": int(n_after), "shrink": self.p.shrink}
        self.refits.append(entry)
        log.info(json.dumps(entry, sort_keys=True))
        return after

    def _prior_vector(self, tower_ids: list[str], market_class: str) -> np.ndarray:
        prior = self.p.weights.get(market_class) or self.p.weights.get("majors", {})
        v = np.array([prior.get(self.p.roles.get(t, t), 0.0) for t in tower_ids], np.float64)
        return v / v.sum() if v.sum() > 0 else np.full(len(tower_ids), 1.0 / len(tower_ids))
