"""Adaptive Kelly sizing: fraction of equity refit from recent closed trades, shrunk, regime- and class-capped."""
from __future__ import annotations

import math
from collections import deque

import numpy as np
from pydantic import Field

from components.types.money import finalize_krw
from components.types.costs import UsesCosts
from components.types.risk import SizingContext
from registry import Params, register


def kelly_fraction(net_returns: np.ndarray) -> float:
    """Kelly f* = w - (1 - w) / R for win rate w and R = avg win / avg |loss| (FORMULAS.md), in [0, 1].

    No losses -> f* = w (R infinite); no wins -> 0; empty -> 0. A zero return counts as a loss: it paid fees.
    """
    r = np.asarray(net_returns, dtype=float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return 0.0
    wins, losses = r[r > 0], r[r <= 0]
    w = wins.size / r.size
    if wins.size == 0:
        return 0.0
    avg_loss = float(np.mean(np.abs(losses))) if losses.size else 0.0
    if avg_loss == 0.0:
        return float(w)
    ratio = float(np.mean(wins)) / avg_loss
    return float(min(max(w - (1.0 - w) / ratio, 0.0), 1.0))


@register("sizing", "adaptive_kelly")
class AdaptiveKelly(UsesCosts):
    """size = equity x min(f x regime x class factor, class cap); f refit every `refit_every_trades` closed
    trades from the last `window_trades` (f <- keep x f + (1 - keep) x f*, capped at `max_fraction`).
    Regime: VPIN > vpin_high -> x vpin_factor; Kyle's lambda above its rolling percentile -> x lambda_factor."""

    class Params(Params):
        initial_fraction: float = Field(0.05, ge=0, le=1, description="fraction before the first refit")
        window_trades: int = Field(200, ge=10, description="closed trades used by a refit")
        refit_every_trades: int = Field(50, ge=1, description="refit after this many closed trades")
        keep_weight: float = Field(0.9, ge=0, le=1, description="weight of the old fraction in the blend")
        max_fraction: float = Field(0.35, gt=0, le=1, description="cap on the Kelly fraction")
        min_confidence: float = Field(0.0, ge=0, le=1, description="below this confidence size 0")
        vpin_high: float = Field(0.7, ge=0, le=1, description="VPIN above this scales the size")
        vpin_factor: float = Field(0.3, ge=0, le=1)
        lambda_pct_high: float = Field(0.8, ge=0, le=1,
                                       description="Kyle's lambda rolling percentile rank above this scales")
        lambda_factor: float = Field(0.6, ge=0, le=1)
        lambda_window: int = Field(500, ge=10, description="lambda values kept to rank when not given")
        class_cap_pct: dict[str, float] = Field(
            default_factory=lambda: {"majors": 12.0, "alts": 8.0, "emerging": 8.0},
            description="max size as percent of equity per market class")
        class_factor: dict[str, float] = Field(
            default_factory=lambda: {"majors": 1.0, "alts": 1.0, "emerging": 0.3},
            description="multiplier of the fraction per market class")
        market_class: str = Field("majors", description="class used when the context does not say")

    def __init__(self, p: "AdaptiveKelly.Params") -> None:
        self.p = p
        self.fraction = p.initial_fraction
        self._returns: deque[float] = deque(maxlen=p.window_trades)
        self._closed = 0
        self._lambdas: deque[float] = deque(maxlen=p.lambda_window)

    # --- learning -------------------------------------------------------------------------------------
    def record_trade(self, net_return: float) -> None:
        """Feed one closed trade's net return (fraction, both fees); refits on every N-th trade."""
        if not math.isfinite(net_return):
            return
        self._returns.append(float(net_return))
        self._closed += 1
        if self._closed % self.p.refit_every_trades == 0:
            self.refit()

    def refit(self) -> float:
        new = kelly_fraction(np.fromiter(self._returns, float))
        blended = self.p.keep_weight * self.fraction + (1.0 - self.p.keep_weight) * new
        self.fraction = min(blended, self.p.max_fraction)
        return self.fraction

    def get_state(self) -> dict:
        return {"fraction": self.fraction, "closed": self._closed, "returns": list(self._returns)}

    def set_state(self, state: dict) -> None:
        self.fraction = float(state.get("fraction", self.p.initial_fraction))
        self._closed = int(state.get("closed", 0))
        self._returns = deque((float(x) for x in state.get("returns", [])), maxlen=self.p.window_trades)

    # --- sizing ---------------------------------------------------------------------------------------
    def regime_factor(self, ctx: SizingContext | None) -> float:
        if ctx is None:
            return 1.0
        factor = 1.0
        if math.isfinite(ctx.vpin) and ctx.vpin > self.p.vpin_high:
            factor *= self.p.vpin_factor
        rank = ctx.kyle_lambda_pct
        if not math.isfinite(rank) and math.isfinite(ctx.kyle_lambda):
            rank = self._rank_lambda(ctx.kyle_lambda)
        if math.isfinite(rank) and rank > self.p.lambda_pct_high:
            factor *= self.p.lambda_factor
        return factor

    def _rank_lambda(self, lam: float) -> float:
        """Percentile rank of lam among the values seen before it (NaN until 20 are known)."""
        seen = self._lambdas
        rank = (sum(1 for x in seen if x < lam) / len(seen)) if len(seen) >= 20 else math.nan
        seen.append(lam)
        return rank

    def size_krw(self, balance_krw: float, confidence: float, context: SizingContext | None = None) -> float:
        if not math.isfinite(confidence) or confidence < self.p.min_confidence:
            return 0.0
        cls = context.market_class if context is not None and context.market_class else self.p.market_class
        equity = context.equity_krw if context is not None and math.isfinite(context.equity_krw) else balance_krw
        frac = self.fraction * self.regime_factor(context) * self.p.class_factor.get(cls, 1.0)
        cap = self.p.class_cap_pct.get(cls, min(self.p.class_cap_pct.values(), default=100.0)) / 100.0
        return finalize_krw(equity * min(frac, cap), balance_krw, self.costs)
