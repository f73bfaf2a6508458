"""cost_aware entry: calibrated P(up) -> expected net return after the cost model's round trip; regime threshold."""
from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from components.types.entry import EntryContext, EntryVerdict
from components.types.costs import UsesCosts
from registry import Params, register


@register("entry", "cost_aware")
class CostAware(UsesCosts):
    """E[net] = m(p) − round trip cost; enter iff E[net] > threshold(regime) and E[net] > 0.

    The round trip cost is the bound cost model's: both fees, and both taker moves (half spread each, plus
    slippage, latency cost and tick rounding where no book is known); the spread is the model's for the
    context's market (book, else bar estimate, else floor; never 0 on candles) unless the context gives one.

    m is monotone (isotonic, increasing) and learned by `fit` on validation outcomes (probability vs the
    realised return of the trade the label describes). Before `fit`, m is the barrier bet
    p·win − (1−p)·loss. threshold = min_edge · (1 + vol_slope · max(0, vol_regime − 1)) + spread_slope · spread:
    it rises when volatility or the spread is above normal, where the estimate is least reliable.
    """

    class Params(Params):
        prior_win_pct: float = Field(0.4, gt=0, description="return if the label's upper barrier is hit")
        prior_loss_pct: float = Field(0.4, gt=0, description="loss if the stop is hit")
        min_edge_pct: float = Field(0.02, ge=0, description="threshold in a normal regime, percent")
        vol_slope: float = Field(1.0, ge=0)
        spread_slope: float = Field(1.0, ge=0)
        min_fit_rows: int = Field(100, ge=2)
        lcb_z: float = Field(1.0, ge=0, description="the map keeps each block's (shrunk) mean minus lcb_z posterior "
                                                    "standard deviations (0 = the mean): few, noisy outcomes promise less")
        prior_bins: int = Field(10, ge=0, description="quantile bins of p that estimate how far true block means "
                                                      "spread; each block is shrunk toward the pooled mean by its "
                                                      "size (empirical Bayes); 0 = no shrinkage")
        map_path: str | None = Field(None, description="JSON {x, y} of a fitted map (walk-forward / train write it)")

    def __init__(self, p: "CostAware.Params") -> None:
        self.p = p
        self.map_x: np.ndarray | None = None
        self.map_y: np.ndarray | None = None
        self.win_x: np.ndarray | None = None       # p -> P(the trade nets > 0 after costs), for sizing
        self.win_y: np.ndarray | None = None
        if p.map_path:
            import json
            with open(p.map_path) as fh:
                doc = json.load(fh)
            self.map_x, self.map_y = np.asarray(doc["x"], np.float64), np.asarray(doc["y"], np.float64)
            if "win_x" in doc:
                self.win_x, self.win_y = np.asarray(doc["win_x"], np.float64), np.asarray(doc["win_y"], np.float64)

    def save_map(self, path) -> None:
        import json
        if self.map_x is None:
            raise RuntimeError("entry.cost_aware: no fitted map to save")
        with open(path, "w") as fh:
            doc = {"x": self.map_x.tolist(), "y": self.map_y.tolist()}
            if self.win_x is not None:
                doc.update(win_x=self.win_x.tolist(), win_y=self.win_y.tolist())
            json.dump(doc, fh)

    def fit(self, p_val: np.ndarray, ret_val: np.ndarray, cost_frac=None) -> "CostAware":
        """Learn m from gross outcomes; `cost_frac` = each row's round trip cost (default: the model's
        cost without a market or price) decides which outcomes count as wins for `confidence`."""
        p_val, ret_val = np.asarray(p_val, np.float64), np.asarray(ret_val, np.float64)
        cost = np.broadcast_to(np.asarray(self.cost_frac() if cost_frac is None else cost_frac, np.float64),
                               ret_val.shape)
        ok = np.isfinite(p_val) & np.isfinite(ret_val)
        if ok.sum() < self.p.min_fit_rows:
            return self
        from sklearn.isotonic import IsotonicRegression
        iso = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(p_val[ok], ret_val[ok])
        self.map_x, self.map_y = self._lower_bound(iso, p_val[ok], ret_val[ok])
        # Sizing wants a confidence in [0, 1]: the calibrated chance that such a trade nets > 0 after the
        # expected costs (a barrier probability of 0.1 can still be a confident, positive-edge entry).
        won = (ret_val[ok] > cost[ok]).astype(np.float64)
        win = IsotonicRegression(increasing=True, out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(p_val[ok], won)
        self.win_x, self.win_y = np.asarray(win.X_thresholds_), np.asarray(win.y_thresholds_)
        return self

    def _lower_bound(self, iso, p: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The isotonic map with each block's mean shrunk toward the pooled mean by its sample size (empirical
        Bayes), lowered by lcb_z posterior standard deviations, made monotone again (weighted by block size).

        The entries the rule takes are those where the map is highest, and the top blocks of a fitted map hold
        the fewest, luckiest outcomes (winner's curse): a block of n outcomes keeps the share
        tau² / (tau² + sigma² / n) of its distance from the pooled mean, where sigma² is the spread of single
        outcomes and tau² the spread of true means across `prior_bins` quantile bins of p (method of moments:
        fixed bins, so their spread is not inflated the way the fitted blocks' is). No spread of true means
        beyond noise: every block is the pooled mean."""
        x, y = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
        if len(x) < 2 or len(r) < 3:
            return x, y
        from sklearn.isotonic import IsotonicRegression
        pooled = float(np.mean(r))
        sigma2, tau2 = self._variances(p, r, pooled)
        fitted = iso.predict(p)
        post: dict[float, float] = {}
        size: dict[float, int] = {}
        for v in np.unique(fitted):
            n = int(np.sum(fitted == v))
            noise = sigma2 / n
            keep = tau2 / (tau2 + noise) if tau2 + noise > 0 else 0.0
            if self.p.prior_bins == 0:          # shrinkage off: the block's own mean and standard error
                got = r[fitted == v]
                keep, noise = 1.0, (float(np.var(got, ddof=1)) if n > 1 else sigma2) / n
            post[v] = pooled + keep * (float(v) - pooled) - self.p.lcb_z * math.sqrt(keep * noise)
            size[v] = n
        y_low = np.array([post.get(v, v) for v in y])
        w = np.array([size.get(v, 1) for v in y], np.float64)
        again = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(x, y_low, sample_weight=w)
        return x, np.asarray(again.predict(x))

    def _variances(self, p: np.ndarray, r: np.ndarray, pooled: float) -> tuple[float, float]:
        """(sigma², tau²): the pooled within-bin variance of single outcomes and the variance of the true bin
        means around `pooled` (observed spread of bin means minus their sampling variance, floored at 0) over
        up to `prior_bins` quantile bins of p."""
        bins = max(1, int(self.p.prior_bins))
        edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, bins + 1)))
        b = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(0, len(edges) - 2))
        means, ns, ss = [], [], 0.0
        for j in np.unique(b):
            got = r[b == j]
            means.append(float(np.mean(got)))
            ns.append(len(got))
            ss += float(np.sum((got - np.mean(got)) ** 2))
        ns_a = np.asarray(ns, np.float64)
        dof = len(r) - len(ns)
        sigma2 = ss / dof if dof > 0 else float(np.var(r))
        if len(ns) < 2:
            return sigma2, 0.0
        tau2 = float(np.mean((np.asarray(means) - pooled) ** 2 - sigma2 / ns_a))
        return sigma2, max(0.0, tau2)

    def confidence(self, p: float) -> float:
        """P(net > 0) for probability p once fitted; before that, p itself."""
        if self.win_x is None or not math.isfinite(p):
            return p
        return float(np.interp(p, self.win_x, self.win_y))

    def expected_gross(self, p):
        if self.map_x is not None:
            return np.interp(p, self.map_x, self.map_y)
        return p * self.p.prior_win_pct / 100 - (1 - p) * self.p.prior_loss_pct / 100

    def spread(self, ctx: EntryContext) -> float:
        s = ctx.spread_frac
        return s if math.isfinite(s) else self.costs.spread_frac(ctx.market, ctx.price)

    def cost_frac(self, market: str = "", price=math.nan, spread=None):
        """Round trip cost of `market` at `price` from the cost model (at `spread` when given)."""
        return self.costs.round_trip_cost_frac(market, price, spread)

    def threshold(self, spread_frac, vol_regime):
        vr = np.where(np.isfinite(vol_regime), vol_regime, 1.0)
        return (self.p.min_edge_pct / 100 * (1 + self.p.vol_slope * np.maximum(0.0, vr - 1.0))
                + self.p.spread_slope * np.maximum(spread_frac, 0.0))

    def decide(self, p: float, ctx: EntryContext | None = None) -> EntryVerdict:
        ctx = ctx or EntryContext()
        if not math.isfinite(p):
            return EntryVerdict(False, math.nan, math.nan, "no_prob")
        spread = self.spread(ctx)
        net = float(self.expected_gross(p) - self.cost_frac(ctx.market, ctx.price, spread))
        th = float(self.threshold(spread, ctx.vol_regime))
        conf = self.confidence(p)
        if net <= 0:
            return EntryVerdict(False, net, th, "net<=0", conf)
        return EntryVerdict(net > th, net, th, "net>threshold" if net > th else "net<=threshold", conf)

    def decide_many(self, p: np.ndarray, spread_frac=math.nan, vol_regime=1.0, cost_frac=None) -> np.ndarray:
        """Vectorised `decide`: `cost_frac` per row (the walk-forward prices each row's market and price);
        default the model's round trip at `spread_frac` (NaN: its floor)."""
        p = np.asarray(p, np.float64)
        spread_frac = np.where(np.isfinite(spread_frac), spread_frac, self.costs.spread_frac(""))
        cost = self.cost_frac("", math.nan, spread_frac) if cost_frac is None else np.asarray(cost_frac, np.float64)
        net = self.expected_gross(p) - cost
        return np.isfinite(p) & (net > 0) & (net > self.threshold(spread_frac, vol_regime))
