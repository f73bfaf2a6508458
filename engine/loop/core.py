"""EngineLoop: one object that backtest, paper and live drive with market events, built from its parts."""
from __future__ import annotations

import resource
from collections.abc import Iterable
from typing import Any

import numpy as np

import registry
from components.types import metric_names as MN
from components.types.events import CANDLE
from components.types.metrics import Metrics
from components.types.risk import CANCEL_ALL
from engine.loop.decide import DecisionPipeline
from engine.loop.execute import Execution
from engine.conf import plain
from engine.costs import bind_costs, build_cost_model
from engine.loop.lifecycle import build_exchange
from engine.settings import Settings, settings_of
from engine.loop.market import MarketData
from engine.loop.quoting import QuoteTimer
from engine.loop.recorder import Recorder

DRIFT_PUBLISH_MS = 30 * 60_000       # feature-drift KS test cadence, market time
NEVER = -10**18


class EngineLoop:
    """events -> features -> towers -> fusion -> entry -> sizing/kill switches -> order manager -> exchange.

    `on_event(ev)` is the whole engine for one market event; exits are checked on every event of a market
    with an open position, decisions happen at most every `decision_interval_ms` per market once all features
    are warm. The parts: `md` (market data + features), `pipeline` (towers, fusion, entry, sizing/risk gate),
    `execution` (order manager, positions, ledger, fills), `recorder` (buffered store writes). Nothing here
    knows the mode: a backtest feeds recorded events to a simulated exchange, paper feeds live events to it,
    live hands a real exchange client; the exchange is fed market data only if it listens (`on_event`).
    """

    def __init__(self, cfg: Any, exchange: Any = None, store: Any = None, run_id: int | None = None,
                 markets: Iterable[str] | None = None, equity_interval_ms: int = 60_000,
                 flush_rows: int = 5_000, universe: Any = None, host_metrics: bool = True,
                 order_prefix: str | None = None, settings: Settings | None = None) -> None:
        self.cfg = cfg
        self.settings = settings if settings is not None else settings_of(cfg)   # typed root nodes, parsed once
        # Process metrics (RSS, wall-clock inference latency) describe the machine, not the market: a
        # replay that published them would trade differently on a loaded machine. Backtests turn them off.
        self.host_metrics = host_metrics
        self.markets = list(markets if markets is not None else cfg.markets)
        self.market_class = self.settings.market_class
        self.interval_ms = self.settings.decision_interval_ms
        self.initial_krw = self.settings.initial_krw
        self.equity_interval_ms = int(equity_interval_ms)
        self.ex = exchange if exchange is not None else build_exchange(cfg)
        self._feed_exchange = getattr(self.ex, "on_event", None)
        self.store, self.run_id = store, run_id
        self._allows = getattr(universe, "allows", None)      # daily universe filters gate entries
        self.metrics = Metrics()
        self.features_node = plain(cfg.get("features")) or {}
        self.md = MarketData(self.markets, self.features_node, self.metrics)
        self.feature_names = self.md.names
        problems: list[tuple[str, str]] = []
        self.pipeline = DecisionPipeline(cfg, self.feature_names, self.market_class, problems, self.md.providers)
        self.pipeline.timed = host_metrics          # the latency is only ever published as a host metric
        if problems:
            raise registry.ConfigError(problems)
        # paper/live: a failed store write is counted for the store_errors switch instead of ending the session
        self.recorder = Recorder(store, run_id, flush_rows, tolerant=self.settings.mode != "backtest")
        self.recorder.feature_names = self.feature_names
        self.risk = _risk_manager(cfg, store, run_id, self.settings)
        state_writer = getattr(self.risk.persistence, "write_state", None) or getattr(self.risk.persistence, "flush", None)
        if state_writer is not None:
            self.recorder.on_flush.append(state_writer)
        self._write_trips = getattr(self.risk.persistence, "write_trips", None)
        prefix = order_prefix or f"scalp-{run_id if run_id is not None else 0}"
        self.costs = build_cost_model(cfg)          # the one cost model: fills, entry, exits, sizing, risk, fusion
        self.execution = Execution(self.settings.orders, self.ex, self.markets, self.initial_krw, self.risk, self.md,
                                   self.recorder, prefix, self.market_class, self.costs,
                                   audit=self.settings.mode in ("paper", "live"))
        bind_costs(self.costs, self.ex, self.risk, self.om, self.entry, self.fusion)
        self.md.costs = self.costs
        self.fee_rate = self.costs.fee_rate
        from engine.outcomes import OutcomeTracker, barrier_from, horizon_from
        self.outcomes = OutcomeTracker(horizon_from(cfg), self.fusion, self.market_class, barrier=barrier_from(cfg))
        self.outcomes.track_bins = self.pipeline.calibrated     # only calibrated towers publish calibration
        self._hurst_col = self.md.column("hurst")
        self.cols = (self.md.column("vol_regime"), self.md.column("vpin"), self.md.column("kyle_lambda"))
        self.zombie_sources: list = []   # extra counts of overdue orders (a live guard's untracked own orders)
        self.drift = saved_drift_reference(self.towers, self.feature_names, int(cfg.get("seed", 0)))
        self._last_drift_ms = NEVER
        self._last_eval_ms = NEVER
        self._last_equity_ms = NEVER
        self.last_decision_ms: dict[str, int] = {m: NEVER for m in self.markets}
        self.quoter = QuoteTimer(self, self.entry) if self.pipeline.quoting else None   # quoting entries' timer
        self.now_ms = 0
        self.events = 0
        self.warmup_skips = 0

    # ---- the parts' state under the names callers know ----------------------------------------------
    om = property(lambda self: self.execution.om)
    ledger = property(lambda self: self.execution.ledger)
    positions = property(lambda self: self.execution.positions)
    exit_reason = property(lambda self: self.execution.exit_reason)
    fsets = property(lambda self: self.md.fsets)
    last_px = property(lambda self: self.md.last_px)
    best_bid = property(lambda self: self.md.best_bid)
    towers = property(lambda self: self.pipeline.towers)
    fusion = property(lambda self: self.pipeline.fusion)
    entry = property(lambda self: self.pipeline.entry)
    calibrated = property(lambda self: self.pipeline.calibrated)
    fusion_weights = property(lambda self: self.pipeline.fusion_weights)
    absent_roles = property(lambda self: self.pipeline.absent_roles)
    flush_rows = property(lambda self: self.recorder.flush_rows)
    store_errors = property(lambda self: self.recorder.errors)
    _buf = property(lambda self: self.recorder.buf)

    def install_models(self, towers: dict[str, Any], entry: Any = None, fusion: Any = None,
                       drift_reference: Any = None) -> None:
        """Swap in freshly fitted towers (and their entry map / fusion) — a walk-forward refit, or a
        live model reload. Towers keep their own recurrent state; the caller warms them if needed.
        `drift_reference` = the towers' training feature rows: recent decision rows are KS-tested against
        it and the drift metrics published for the feature_drift kill switch."""
        if drift_reference is not None:
            from engine.drift import DriftMonitor
            self.drift = DriftMonitor(np.asarray(drift_reference), self.feature_names, seed=int(self.cfg.get("seed", 0)),
                                      ref_stride=self.settings.walkforward.stride_bars)
        self.pipeline.install(towers, entry, fusion)
        if entry is not None:
            self.quoter = QuoteTimer(self, self.entry) if self.pipeline.quoting else None
        bind_costs(self.costs, self.entry, self.fusion)
        if self.md.rows:
            self.pipeline.precompute(self.md.rows)
        self.outcomes.set_fusion(self.fusion)

    def precompute(self, streams: dict) -> None:
        """Replay only: compute every market's feature rows (and the scores of towers that allow it) in
        batch before the first event; decisions and fills are the same as event by event."""
        self.md.precompute(streams)
        self.pipeline.precompute(self.md.rows)
        bars = getattr(self.ex, "precompute_bars", None)       # the exchange's per-bar spread estimates
        if bars is not None:
            bars(streams)

    def add_market(self, m: str) -> None:
        """A market the universe picked mid-session (day boundary): its features, prices, position and account
        rows start empty; its features warm up from its own events before it is decided on."""
        if m in self.md.keys:
            return
        from components.types.orders import Position
        from engine.features import FeatureSet
        from engine.loop.market import _Keys
        md, ex = self.md, self.execution
        md.fsets[m] = FeatureSet.from_config(self.features_node)
        md.last_px[m] = md.best_bid[m] = md.best_ask[m] = float("nan")
        md.keys[m], md.index[m] = _Keys(m), -1
        for names in {id(lst): lst for lst in (self.markets, md.markets, ex.markets)}.values():
            if m not in names:
                names.append(m)
        if m not in self.ledger.data.markets:
            self.ledger.data.markets.append(m)
        ex.positions[m] = Position(m)
        ex._bases[m] = m.split("-", 1)[1]
        self.last_decision_ms[m] = NEVER
        self.risk.snapshot.markets = tuple(self.markets)

    # ---- the event path --------------------------------------------------------------------------
    def on_event(self, ev: Any) -> None:
        m = ev.market
        md = self.md
        if m not in md.keys:                             # not in the universe
            return
        k = ev.kind
        ts = ev.ts_ms + ev.interval_s * 1000 if k == CANDLE else ev.ts_ms
        if k == CANDLE and getattr(ev, "warmup", False):     # REST history at start: warms features only
            md.update(m, ev, ts)
            return
        self.now_ms = ts
        self.events += 1
        if self.quoter is not None:
            self.quoter.on_event(ev, ts)
        if self._feed_exchange is not None:
            self._feed_exchange(ev)
        md.observe(m, ev, k, ts)
        ex = self.execution
        ex.collect_fills()
        if ex.om.open:                                   # nothing working: nothing can have closed
            ex.poll(ts)
        md.update(m, ev, ts)
        if self.outcomes.pending.get(m):                 # outcomes waiting on this market's price
            self.outcomes.on_price(m, ts, md.last_px[m])
        if ex.positions[m].volume > 0:
            ex.check_exit(m, ts)
        if ts - self.last_decision_ms[m] >= self.interval_ms:
            if ts - self._last_eval_ms >= self.interval_ms:
                self._evaluate_risk(ts)
            if not self.pipeline.towers:         # no model yet (walk-forward before its first test window)
                pass
            elif md.ready(m):                    # no decision (and no slot used) until every feature is warm
                self.last_decision_ms[m] = ts
                self._decide(m, ts)
            else:
                self.warmup_skips += 1
        if ts - self._last_equity_ms >= self.equity_interval_ms:
            self._snapshot(ts)

    # ---- decisions -------------------------------------------------------------------------------
    def _decide(self, m: str, ts: int) -> None:
        md, pl, ex = self.md, self.pipeline, self.execution
        x = md.vector(m)
        if self.risk.sizing_limits:
            self.risk.observe_price(m, ts, md.last_px[m])
        if self.drift is not None:
            self.drift.add_row(x)
        if self._hurst_col >= 0:
            self.metrics.set(md.keys[m].hurst, float(x[self._hurst_col]))
        p, scores = pl.score(m, x, md.row_index(m))
        reasons: list[str]
        action = "hold"
        if ex.positions[m].volume > 0:
            reasons = ["position.open"]
            ex.expect_holding(m, pl.expected_gross(p))     # what ev_trail weighs the open gain against
        elif ex.om.open and ex.om.working(m):
            reasons = ["order.working"]
        elif pl.entry is None or pl.quoting:     # a quoting entry trades on its own timer
            reasons = ["entry.none" if pl.entry is None else "entry.quoting"]
        elif self._allows is not None and not self._allows(m, ts):
            reasons = ["universe.excluded"]
        else:
            action, reasons = self._try_entry(m, p, x, ts)
        px = md.last_px[m]
        self.ledger.data.prices.setdefault(m, []).append((ts, px))
        self.outcomes.on_decision(m, ts, p, scores, px)
        self.recorder.decision(ts, m, action, p, x, px, scores, reasons)     # features built at flush
        self.ledger.on_decision(m, action)

    def _try_entry(self, m: str, p: float, x: Any, ts: int) -> tuple[str, list[str]]:
        intent, size_krw, reasons = self.pipeline.entry_intent(self, m, p, x, ts)
        if intent is None:
            return ("blocked" if size_krw < 0 else "hold"), reasons
        self.execution.ledger.expect(m, self.pipeline.expected_net)
        why = self.execution.submit_entry(intent, ts)
        if why:
            return "rejected", reasons + [why]
        return "enter", reasons + [f"size_krw: {size_krw:.0f}"]

    # ---- account, kill switches ---------------------------------------------------------------------
    def _snapshot(self, ts: int) -> None:
        equity, cash, held = self.execution.valuation()
        self._last_equity_ms = ts
        pos_krw = sum(held.values())
        self.recorder.equity(ts, equity, cash, pos_krw)
        self.ledger.on_equity(ts, equity, held)

    def _evaluate_risk(self, ts: int) -> None:
        self._last_eval_ms = ts
        ex = self.execution
        equity, cash, held = ex.valuation()
        self.risk.on_account(ts, equity_krw=equity, cash_krw=cash, positions_krw=ex.positions_krw(held),
                             open_orders_krw=ex.open_bids_krw(), unpriced=self.unpriced())
        met = self.metrics
        zombies = ex.om.overdue(ts) if ex.om.open else 0     # no open order: none overdue, skip the scan
        for source in self.zombie_sources:
            zombies = max(zombies, int(source()))
        met.set(MN.ZOMBIE_ORDERS, zombies)
        met.set(MN.STORE_ERRORS, self.recorder.errors + self.risk.persist_errors)
        if self.host_metrics:
            met.set(MN.MEMORY_RSS_MB, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
        if self.drift is not None and ts - self._last_drift_ms >= DRIFT_PUBLISH_MS:
            self._last_drift_ms = ts          # a KS pass over every feature costs ~10 ms: not every tick
            self.drift.publish(met)           # (its calibration keys are overwritten below when calibrated)
        if self.pipeline.calibrated:
            self.outcomes.publish(met)
        if self.host_metrics:
            p95 = self.pipeline.latency_p95_ms()
            if p95 is not None:
                met.set(MN.INFERENCE_LATENCY_MS, p95)
        for trip in self.risk.evaluate(met, ts):
            self.ledger.on_trip(trip, ts)          # the risk manager persisted it already
            if trip.action == CANCEL_ALL:
                ex.om.cancel_all(ts, trip.market or None)

    def unpriced(self) -> tuple[str, ...]:
        """Held markets without a price yet: the valuation leaves them out, so the equity is partial (the
        risk manager's equity switches wait). Once every market has a price this is one NaN scan."""
        last = self.md.last_px
        missing = [m for m in self.markets if last[m] != last[m]]
        if not missing:
            return ()
        bal = self.ex.balance
        return tuple(m for m in missing if sum(float(x) for x in bal(m.split("-", 1)[1])) > 0)

    def seed_prices(self, prices: dict[str, float]) -> list[str]:
        """Start prices (REST tickers) for markets the feed has not priced yet; returns the markets seeded."""
        last = self.md.last_px
        seeded = [m for m, px in prices.items() if m in last and last[m] != last[m] and px > 0]
        for m in seeded:
            last[m] = float(prices[m])
        return seeded

    # ---- end of run ------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write buffered rows to the store (one batch per table)."""
        self.recorder.flush()

    def close(self) -> None:
        """End of data: book what is left, take a final equity snapshot, record open orders, flush."""
        ex, om = self.execution, self.execution.om
        ex.collect_fills()
        if om._unknown:                  # outcomes learnt during the shutdown: their audit lines, rows and fills
            ex.poll(self.now_ms)
        for mo in om.poll(self.now_ms + max(om.s.poll_interval_ms, 0)):
            self.recorder.order(om.row(mo, self.now_ms))
        for mo in om.open.values():
            self.recorder.order(om.row(mo, self.now_ms))
        for m, pos in ex.positions.items():
            if pos.volume > 0:
                self.recorder.position(pos, self.now_ms, closed=False)
        self._snapshot(self.now_ms)
        self.ledger.finish(ex.positions, self.md.last_px, self.fee_rate, self.now_ms)
        if self._write_trips is not None:
            self._write_trips()
        self.flush()


def _risk_manager(cfg: Any, store: Any, run_id: int | None, settings: Settings) -> Any:
    """Trips persist through the store at once; a backtest's account state (namespace backtest:<run_id>,
    never restored by another run) is kept in memory and written with the recorder's batches."""
    from engine.risk import RiskManager
    if store is None or run_id is None:
        return RiskManager.from_config(cfg, settings=settings)
    from engine.risk.store_adapter import StoreRiskPersistence
    if settings.mode == "backtest":
        persistence = StoreRiskPersistence(store, namespace=f"backtest:{run_id}", run_id=run_id, state_every_ms=None,
                                           defer_trips=True)
        return RiskManager.from_config(cfg, persistence=persistence, settings=settings)
    return RiskManager.from_config(cfg, store=store, run_id=run_id, settings=settings)


def saved_drift_reference(towers: dict[str, Any], feature_names: list[str], seed: int = 0) -> Any:
    """The drift monitor of a bot trading saved models: `scalp train` writes the training rows next to them
    (<run>/model/drift_reference.npz), so the feature_drift switch compares live rows with what the models
    learnt from. None when no tower has a model_path or no reference lies beside it."""
    from pathlib import Path
    for tid, tower in towers.items():
        path = getattr(getattr(tower, "p", None), "model_path", None)
        ref = Path(path).parent / "drift_reference.npz" if path else None
        if ref is None or not ref.exists():
            continue
        from engine.drift import DriftMonitor
        try:
            return DriftMonitor.from_reference(ref, feature_names, seed=seed)
        except ValueError as e:        # other features than the models were trained on: name the setting
            raise registry.ConfigError([(f"towers.{tid}.model_path", str(e))]) from None
    return None

