"""The decision pipeline of the loop: towers -> fusion -> entry verdict -> sizing and risk gate -> entry intent."""
from __future__ import annotations

import math
import time
from collections import deque
from typing import Any

import numpy as np

import registry
from components.types.entry import EntryContext
from components.types.orders import OrderIntent
from components.types.risk import SizingContext
from engine.conf import plain
from engine.models.classes import build_routes, capped, refresh_routes


class DecisionPipeline:
    """Owns the towers, the fusion and the entry rule; turns one feature row into P(up), tower scores and,
    when the entry rule and the risk manager agree, a sized entry intent.

    Towers with `batch_scores = True` (and a `step_batch(X)` equal to `step` row by row) may be scored for a
    whole replay up front (`precompute`); the loop then looks the score up by the market's row index.
    """

    def __init__(self, cfg: Any, feature_names: list[str], market_class: str, problems: list,
                 providers: dict | None = None) -> None:
        self.market_class = market_class
        self.feature_names = feature_names
        self.towers: dict[str, Any] = {}
        for tid, node in (plain(cfg.get("towers")) or {}).items():
            try:
                tower = registry.build("tower", node, path=f"towers.{tid}")
                if hasattr(tower, "bind_providers"):     # capability inputs (hurst, ...) under any feature id
                    tower.bind_providers(providers or {})
                tower.bind(feature_names)
                self.towers[str(tid)] = tower
            except registry.ConfigError as e:
                problems.extend(e.problems)
        self.fusion = _optional("fusion", cfg, problems)
        self.entry = _optional("entry", cfg, problems)
        # a bot whose markets span classes: market -> its class's towers, entry threshold, sizing cap
        self.routes = build_routes(cfg, feature_names, providers, problems)
        self.fusion_weights: dict = {}
        self.absent_roles: list = []
        self.calibrated = False
        self.quoting = False
        self.batch: dict[str, dict[str, list]] = {}     # market -> tower id -> scores per stream row
        self.fused: dict[str, tuple[list, list]] = {}   # market -> (P(up), [(tower id, scores)]) per stream row
        self._lat: deque = deque(maxlen=200)
        self._n_steps = 0
        self.timed = True              # wall-clock latency per decision (host metrics; a backtest turns it off)
        self._refresh()

    def install(self, towers: dict[str, Any], entry: Any = None, fusion: Any = None) -> None:
        """Swap in freshly fitted towers (and their entry map / fusion); precomputed scores are dropped."""
        self.towers = dict(towers)
        if entry is not None:
            self.entry = entry
        if fusion is not None:
            self.fusion = fusion
        self.batch, self.fused = {}, {}
        self._refresh()

    def _refresh(self) -> None:
        # calibration metrics only mean something when every tower claims calibrated probabilities;
        # rule baselines (calibrated = False) would otherwise trip calibration_error by construction
        self.calibrated = bool(self.towers) and all(getattr(t, "calibrated", True) for t in self.towers.values())
        # a quoting entry (quoting contract) is called on its own timer of data time, not per decision
        self.quoting = bool(getattr(self.entry, "quoting", False)) and hasattr(self.entry, "quote")
        refresh_routes(self.routes, self.entry)
        if self.fusion is not None and hasattr(self.fusion, "weights_for"):
            self.fusion_weights, self.absent_roles = self.fusion.weights_for(list(self.towers), self.market_class)

    def route_of(self, m: str) -> Any:
        """The market's class route (engine/models/classes.py), None when routing is off."""
        return self.routes.get(m)

    def towers_of(self, m: str) -> dict[str, Any]:
        r = self.routes.get(m)
        return r.towers if r is not None and r.towers is not None else self.towers

    def precompute(self, rows: dict[str, Any]) -> None:
        """Score every precomputed feature row ({market: (X, ready, ts)}) with the towers that allow it."""
        self.batch, self.fused = {}, {}
        for m, (X, _, _) in rows.items():
            towers = self.towers_of(m)
            got = {tid: np.asarray(t.step_batch(X), float).reshape(len(X), -1)[:, 0].tolist()   # read per event
                   for tid, t in towers.items() if getattr(t, "batch_scores", False) and hasattr(t, "step_batch")}
            if got:
                self.batch[m] = got
            if got and len(got) == len(towers):
                p = self._fuse_many(m, got)
                if p is not None:
                    self.fused[m] = (p, list(got.items()))

    def _fuse_many(self, m: str, cols: dict[str, list]) -> list | None:
        """P(up) of every precomputed row when the fusion is a fixed function of the scores (`combine_many`,
        no learning from outcomes); None otherwise (fused per decision)."""
        if self.fusion is None:           # the mean, summed in tower order from 0 as `sum` does
            total = np.zeros(len(next(iter(cols.values()))))
            for col in cols.values():
                total = total + np.asarray(col, np.float64)
            return (total / len(cols)).tolist()
        if not hasattr(self.fusion, "combine_many") or hasattr(self.fusion, "record"):
            return None
        route = self.routes.get(m)
        cls = route.market_class if route is not None else self.market_class
        return np.asarray(self.fusion.combine_many({k: np.asarray(v, np.float64) for k, v in cols.items()}, cls),
                          np.float64).tolist()

    # ---- one decision ----------------------------------------------------------------------------
    def score(self, m: str, x: np.ndarray, row: int) -> tuple[float, dict[str, float]]:
        """(fused P(up), {tower id: score}) of feature row `x` (`row` = its precomputed index, or -1)."""
        if row >= 0 and not self.timed:
            fused = self.fused.get(m)
            if fused is not None:              # every tower and the fusion precomputed: two list reads
                return fused[0][row], {tid: col[row] for tid, col in fused[1]}
        pre = self.batch.get(m) if row >= 0 else None
        ctx = {"market": m}                      # recurrent towers keep one state per market
        t0 = time.perf_counter() if self.timed else 0.0
        towers = self.towers_of(m)
        if pre is None:
            scores = {tid: float(t.step(x, ctx)[0]) for tid, t in towers.items()}
        else:
            scores = {tid: (float(pre[tid][row]) if tid in pre else float(t.step(x, ctx)[0]))
                      for tid, t in towers.items()}
        if self.timed:
            self._record_latency((time.perf_counter() - t0) * 1000.0)
        if self.fusion is not None:
            route = self.routes.get(m)
            p = float(self.fusion.combine(scores, route.market_class if route is not None else self.market_class))
        else:
            p = sum(scores.values()) / len(scores) if scores else math.nan
        return p, scores

    def expected_gross(self, p: float) -> float:
        """The entry map's expected gross return of holding from here under the configured exits (fraction;
        NaN where the entry rule has no fitted map): the expectation ev_trail acts on."""
        e = self.entry
        if e is None or getattr(e, "map_x", None) is None or not math.isfinite(p):
            return math.nan
        return float(e.expected_gross(p))

    def entry_intent(self, loop: Any, m: str, p: float, x: Any, ts: int) -> tuple[OrderIntent | None, float,
                                                                                   list[str]]:
        """(intent or None, size_krw, reasons): entry verdict, then the risk manager's gate and size."""
        md = loop.md
        vc, pc, kc = loop.cols
        vol = float(x[vc]) if vc >= 0 else 1.0
        route = self.routes.get(m)
        entry = route.entry if route is not None else self.entry
        verdict = entry.decide(p, EntryContext(market=m, price=md.last_px[m],
                                                    vol_regime=vol if math.isfinite(vol) else 1.0))
        self.expected_net = verdict.expected_net       # booked with the trade it opens (predicted vs realised)
        reasons = [verdict.reason]
        if not verdict.enter:
            return None, 0.0, reasons
        cash = loop.execution.cash()[0]
        ctx = SizingContext(market=m, market_class=route.market_class if route is not None else self.market_class,
                            vpin=float(x[pc]) if pc >= 0 else math.nan,
                            kyle_lambda=float(x[kc]) if kc >= 0 else math.nan, volatility_ratio=vol)
        conf = verdict.confidence if math.isfinite(verdict.confidence) else p
        d = loop.risk.check_entry(m, ts, confidence=conf, balance_krw=cash, context=ctx)
        reasons += d.reasons
        if not d.allowed:
            return None, -1.0, reasons
        size_krw = capped(d.size_krw, route, cash)             # the class's sizing cap
        if size_krw < d.size_krw and size_krw < loop.costs.min_order_krw:   # the run's cost model: one minimum
            return None, -1.0, reasons + ["class_cap"]
        px = md.last_px[m]
        fee = loop.fee_rate
        if loop.om.s.entry_type == "limit":
            bid = md.best_bid[m] if math.isfinite(md.best_bid[m]) else px
            intent = OrderIntent(m, "bid", "limit", volume=size_krw / (1 + fee) / bid, price=bid, reason="entry")
        else:
            intent = OrderIntent(m, "bid", "price", price=math.floor(size_krw / (1 + fee)), reason="entry")
        return intent, size_krw, reasons

    def _record_latency(self, ms: float) -> None:
        self._n_steps += 1
        if self._n_steps > 10:                 # first calls include JIT/caches: not the steady state
            self._lat.append(ms)

    def latency_p95_ms(self) -> float | None:
        if not self._lat:
            return None
        lat = sorted(self._lat)
        return lat[int(0.95 * (len(lat) - 1))]


def _optional(kind: str, cfg: Any, problems: list) -> Any:
    node = plain(cfg.get(kind))
    if not node:
        return None
    try:
        return registry.build(kind, node, path=kind)
    except registry.ConfigError as e:
        problems.extend(e.problems)
        return None
