"""The engine loop (DESIGN §4): one object that backtest, paper and live drive with market events."""
from __future__ import annotations

import math
import resource
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

import numpy as np

import registry
from components.types import metric_names as MN
from components.types.events import BOOK, CANDLE, TRADE
from components.types.metrics import Metrics
from components.types.orders import MIN_ORDER_KRW, OrderIntent, Position
from components.types.risk import CANCEL_ALL, ExitContext, SizingContext
from engine.features import FeatureSet
from engine.order_manager import OrderManager, OrderSettings, fee_rate_of
from engine.ledger import Ledger

per = MN.per_market
DRIFT_PUBLISH_MS = 30 * 60_000       # feature-drift KS test cadence, market time


def plain(node: Any) -> Any:
    """OmegaConf node -> plain container (dicts/lists); anything else unchanged."""
    if node is not None and hasattr(node, "_metadata"):
        from omegaconf import OmegaConf
        return OmegaConf.to_container(node, resolve=True)
    return node


def build_exchange(cfg: Any) -> Any:
    """Exchange from `cfg.exchange`; a simulated one is bound to `cfg.fill_model`, initial KRW and seed."""
    ex = registry.build("exchange", plain(cfg.exchange), path="exchange")
    if hasattr(ex, "bind"):
        fm = registry.build("fill_model", plain(cfg.fill_model), path="fill_model") if cfg.get("fill_model") else None
        ex.bind(fill_model=fm, balances={"KRW": float(cfg.initial_krw)}, seed=int(cfg.seed))
    return ex


class EngineLoop:
    """events -> features -> towers -> fusion -> entry -> sizing/kill switches -> order manager -> exchange.

    `on_event(ev)` is the whole engine for one market event; exits are checked on every event of a market
    with an open position, decisions happen at most every `decision_interval_ms` per market once all features
    are warm. Everything decided is buffered and written to the store (`flush`). Nothing here knows the mode:
    a backtest feeds recorded events to a simulated exchange, paper feeds live events to it, live hands a
    real exchange client; the exchange is fed market data only if it listens (`on_event`).
    """

    def __init__(self, cfg: Any, exchange: Any = None, store: Any = None, run_id: int | None = None,
                 markets: Iterable[str] | None = None, equity_interval_ms: int = 60_000,
                 flush_rows: int = 5_000, universe: Any = None, host_metrics: bool = True) -> None:
        self.cfg = cfg
        # Process metrics (RSS, wall-clock inference latency) describe the machine, not the market: a
        # replay that published them would trade differently on a loaded machine. Backtests turn them off.
        self.host_metrics = host_metrics
        self.markets = list(markets if markets is not None else cfg.markets)
        self.market_class = str(cfg.get("market_class", "majors"))
        self.interval_ms = int(cfg.get("decision_interval_ms", 1000))
        self.initial_krw = float(cfg.initial_krw)
        self.equity_interval_ms = int(equity_interval_ms)
        self.ex = exchange if exchange is not None else build_exchange(cfg)
        self._feed_exchange = getattr(self.ex, "on_event", None)
        self.store, self.run_id, self.flush_rows = store, run_id, flush_rows
        self._allows = getattr(universe, "allows", None)      # daily universe filters gate entries
        problems: list[tuple[str, str]] = []
        self.features_node = plain(cfg.get("features")) or {}
        self.fsets = {m: FeatureSet.from_config(self.features_node) for m in self.markets}
        names = next(iter(self.fsets.values())).names if self.fsets else []
        self.feature_names = names
        self.towers: dict[str, Any] = {}
        for tid, node in (plain(cfg.get("towers")) or {}).items():
            try:
                tower = registry.build("tower", node, path=f"towers.{tid}")
                tower.bind(names)
                self.towers[str(tid)] = tower
            except registry.ConfigError as e:
                problems.extend(e.problems)
        self.fusion = self._optional("fusion", cfg, problems)
        self.entry = self._optional("entry", cfg, problems)
        if problems:
            raise registry.ConfigError(problems)
        from engine.risk import RiskManager
        # trips and account state persist through the store (namespace backtest:<run_id> in backtests)
        self.risk = RiskManager.from_config(cfg, store=store if run_id is not None else None, run_id=run_id)
        self.om = OrderManager(self.ex, OrderSettings.from_config(cfg.get("orders")),
                               prefix=f"scalp-{run_id if run_id is not None else 0}")
        self.fee_rate = fee_rate_of(self.ex)
        from engine.outcomes import OutcomeTracker, barrier_from, horizon_from
        self.outcomes = OutcomeTracker(horizon_from(cfg), self.fusion, self.market_class, barrier=barrier_from(cfg))
        # calibration metrics only mean something when every tower claims calibrated probabilities;
        # rule baselines (calibrated = False) would otherwise trip calibration_error by construction
        self.calibrated = bool(self.towers) and all(getattr(t, "calibrated", True) for t in self.towers.values())
        self.metrics = Metrics()
        self.ledger = Ledger(self.markets, self.initial_krw)
        self.positions = {m: Position(m) for m in self.markets}
        self.last_px: dict[str, float] = {m: math.nan for m in self.markets}
        self.best_bid: dict[str, float] = {m: math.nan for m in self.markets}
        self.spread_frac: dict[str, float] = {m: 0.0 for m in self.markets}
        self.last_decision_ms: dict[str, int] = {m: -10**18 for m in self.markets}
        self.exit_reason: dict[str, str] = {}
        self._hurst_col = names.index("hurst") if "hurst" in names else -1
        self._vol_col = next((i for i, n in enumerate(names) if n.startswith("vol_regime")), -1)
        self._vpin_col = next((i for i, n in enumerate(names) if n.startswith("vpin")), -1)
        self._kyle_col = next((i for i, n in enumerate(names) if n.startswith("kyle_lambda")), -1)
        self._lat = deque(maxlen=200)
        self.drift = None                      # engine.drift.DriftMonitor once a training reference is known
        self._last_drift_ms = -10**18
        self._n_steps = 0
        self._last_eval_ms = -10**18
        self._last_equity_ms = -10**18
        self.now_ms = 0
        self.events = 0
        self.warmup_skips = 0
        self.store_errors = 0
        self._buf: dict[str, list] = {"decisions": [], "orders": [], "fills": [], "positions": [], "equity": []}
        if self.fusion is not None and hasattr(self.fusion, "weights_for"):
            self.fusion_weights, self.absent_roles = self.fusion.weights_for(list(self.towers), self.market_class)
        else:
            self.fusion_weights, self.absent_roles = {}, []
        from engine.quoting import QuoteTimer      # a quoting entry trades on its own data-time timer
        self.quoter = QuoteTimer(self, self.entry) if getattr(self.entry, "quoting", False) else None

    def install_models(self, towers: dict[str, Any], entry: Any = None, fusion: Any = None,
                       drift_reference: Any = None) -> None:
        """Swap in freshly fitted towers (and their entry map / fusion) — a walk-forward refit, or a
        live model reload. Towers keep their own recurrent state; the caller warms them if needed.
        `drift_reference` = the towers' training feature rows: recent decision rows are KS-tested against
        it and the drift metrics published for the feature_drift kill switch."""
        if drift_reference is not None:
            from engine.drift import DriftMonitor
            self.drift = DriftMonitor(np.asarray(drift_reference), self.feature_names, seed=int(self.cfg.get("seed", 0)))
        self.towers = dict(towers)
        if entry is not None:
            self.entry = entry
        if fusion is not None:
            self.fusion = fusion
        self.outcomes.set_fusion(self.fusion)
        self.calibrated = bool(self.towers) and all(getattr(t, "calibrated", True) for t in self.towers.values())
        if self.fusion is not None and hasattr(self.fusion, "weights_for"):
            self.fusion_weights, self.absent_roles = self.fusion.weights_for(list(self.towers), self.market_class)

    @staticmethod
    def _optional(kind: str, cfg: Any, problems: list) -> Any:
        node = plain(cfg.get(kind))
        if not node:
            return None
        try:
            return registry.build(kind, node, path=kind)
        except registry.ConfigError as e:
            problems.extend(e.problems)
            return None

    # ---- the event path --------------------------------------------------------------------------
    def on_event(self, ev: Any) -> None:
        m = ev.market
        fs = self.fsets.get(m)
        if fs is None:                                   # not in the universe
            return
        k = ev.kind
        ts = ev.ts_ms + ev.interval_s * 1000 if k == CANDLE else ev.ts_ms
        self.now_ms = ts
        self.events += 1
        if self.quoter is not None:
            self.quoter.on_event(ev, ts)
        if self._feed_exchange is not None:
            self._feed_exchange(ev)
        self._observe(m, ev, k, ts)
        self._collect_fills()
        for mo in self.om.poll(ts):
            self._order_closed(mo, ts)
        fs.update(ev)
        self.outcomes.on_price(m, ts, self.last_px[m])
        if self.positions[m].volume > 0:
            self._check_exit(m, ts)
        if ts - self.last_decision_ms[m] >= self.interval_ms:
            if ts - self._last_eval_ms >= self.interval_ms:
                self._evaluate_risk(ts)
            if not self.towers:                  # no model yet (walk-forward before its first test window)
                pass
            elif fs.ready():                     # no decision (and no slot used) until every feature is warm
                self.last_decision_ms[m] = ts
                self._decide(m, fs, ts)
            else:
                self.warmup_skips += 1
        if ts - self._last_equity_ms >= self.equity_interval_ms:
            self._snapshot(ts)
        if len(self._buf["decisions"]) >= self.flush_rows:
            self.flush()

    def _observe(self, m: str, ev: Any, k: int, ts: int) -> None:
        """Market-data metrics the kill switches read, and the prices exits/valuation use."""
        met = self.metrics
        met.set(per(MN.LAST_EVENT_TS_MS, m), ts)
        if k == TRADE:
            self.last_px[m] = ev.price
            met.set(per(MN.LAST_TRADE_PRICE, m), ev.price)
            met.inc(per(MN.TRADED_KRW, m), ev.price * ev.volume)
        elif k == BOOK:
            b, a = float(ev.bid_px[0]), float(ev.ask_px[0])
            if b > 0 and a > 0 and a > b:
                mid = 0.5 * (a + b)
                self.best_bid[m] = b
                self.last_px[m] = mid
                self.spread_frac[m] = (a - b) / mid
                met.set(per(MN.BOOK_MID_PRICE, m), mid)
                met.set(per(MN.SPREAD_PCT, m), 100.0 * (a - b) / mid)
        else:
            self.last_px[m] = ev.close
            value = ev.value_krw if math.isfinite(ev.value_krw) else ev.volume * ev.close
            met.inc(per(MN.TRADED_KRW, m), value)

    # ---- decisions -------------------------------------------------------------------------------
    def _decide(self, m: str, fs: FeatureSet, ts: int) -> None:
        x = fs.vector()
        if self.drift is not None:
            self.drift.add_row(x)
        if self._hurst_col >= 0:
            self.metrics.set(per(MN.HURST, m), float(x[self._hurst_col]))
        t0 = time.perf_counter()
        ctx = {"market": m}                      # recurrent towers keep one state per market
        scores = {tid: float(t.step(x, ctx)[0]) for tid, t in self.towers.items()}
        self._record_latency((time.perf_counter() - t0) * 1000.0)
        if self.fusion is not None:
            p = float(self.fusion.combine(scores, self.market_class))
        else:
            p = sum(scores.values()) / len(scores) if scores else math.nan
        reasons: list[str] = []
        action = "hold"
        pos = self.positions[m]
        if pos.volume > 0:
            reasons.append("position.open")
        elif self.om.working(m):
            reasons.append("order.working")
        elif self.entry is None:
            reasons.append("entry.none")
        elif self._allows is not None and not self._allows(m, ts):
            reasons.append("universe.excluded")
        else:
            action, reasons = self._try_entry(m, p, x, ts)
        feats = dict(zip(self.feature_names, x.tolist()))
        feats["_mark_price"] = self.last_px[m]
        self.ledger.data.prices.setdefault(m, []).append((ts, self.last_px[m]))
        self.outcomes.on_decision(m, ts, p, scores, self.last_px[m])
        self._buf["decisions"].append({"ts_ms": ts, "market": m, "action": action,
                                       "score": p if math.isfinite(p) else None,
                                       "features": feats, "scores": scores, "reasons": reasons})
        self.ledger.on_decision(m, action)

    def _try_entry(self, m: str, p: float, x: Any, ts: int) -> tuple[str, list[str]]:
        from components.entry.base import EntryContext    # shared vocabulary of the entry kind
        vol = float(x[self._vol_col]) if self._vol_col >= 0 else 1.0
        verdict = self.entry.decide(p, EntryContext(spread_frac=self.spread_frac[m],
                                                    vol_regime=vol if math.isfinite(vol) else 1.0))
        reasons = [verdict.reason]
        if not verdict.enter:
            return "hold", reasons
        cash = self._cash()[0]
        ctx = SizingContext(market=m, market_class=self.market_class,
                            vpin=float(x[self._vpin_col]) if self._vpin_col >= 0 else math.nan,
                            kyle_lambda=float(x[self._kyle_col]) if self._kyle_col >= 0 else math.nan,
                            volatility_ratio=vol)
        conf = verdict.confidence if math.isfinite(verdict.confidence) else p
        d = self.risk.check_entry(m, ts, confidence=conf, balance_krw=cash, context=ctx)
        reasons += d.reasons
        if not d.allowed:
            return "blocked", reasons
        px = self.last_px[m]
        if self.om.s.entry_type == "limit":
            bid = self.best_bid[m] if math.isfinite(self.best_bid[m]) else px
            intent = OrderIntent(m, "bid", "limit", volume=d.size_krw / (1 + self.fee_rate) / bid, price=bid,
                                 reason="entry")
        else:
            intent = OrderIntent(m, "bid", "price", price=math.floor(d.size_krw / (1 + self.fee_rate)),
                                 reason="entry")
        mo, why = self.om.submit(intent, ts, "entry", ref_price=px)
        if mo is None:
            reasons.append(why)
            self._reject_row(intent, ts, why)
            return "rejected", reasons
        self.risk.on_entry(m, ts)
        self._collect_fills()
        return "enter", reasons + [f"size_krw: {d.size_krw:.0f}"]

    def _record_latency(self, ms: float) -> None:
        self._n_steps += 1
        if self._n_steps > 10:                 # first calls include JIT/caches: not the steady state
            self._lat.append(ms)

    # ---- exits -----------------------------------------------------------------------------------
    def _check_exit(self, m: str, ts: int) -> None:
        if self.om.working(m, "exit"):
            return
        pos = self.positions[m]
        price = self.best_bid[m] if math.isfinite(self.best_bid[m]) else self.last_px[m]
        if not math.isfinite(price):
            return
        sig = self.risk.check_exit(pos, price, ts, ExitContext(market_class=self.market_class))
        if sig is None:
            return
        for mo in self.om.working(m, "entry"):            # stop buying what we are selling
            self.om.cancel(mo, ts)
        self._collect_fills()
        self._sell(m, ts, sig.reason, price)

    def _sell(self, m: str, ts: int, reason: str, price: float) -> None:
        pos = self.positions[m]
        if self.om.s.exit_type == "limit" and reason.startswith(("profit", "ev_")):
            intent = OrderIntent(m, "ask", "limit", volume=pos.volume, price=price, reason=reason)
        else:
            intent = OrderIntent(m, "ask", "market", volume=pos.volume, reason=reason)
        self.exit_reason[m] = reason
        mo, why = self.om.submit(intent, ts, "exit", ref_price=price)
        if mo is None:
            if why.startswith("order.under_min_total") or why.startswith("order.zero_volume"):
                trade = self.ledger.write_off_dust(pos, ts, price, self.fee_rate, reason)   # unsellable remainder
                self._position_row(m, ts, closed=True, trade=trade)
                self.positions[m] = Position(m)
            else:
                self._reject_row(intent, ts, why)
            return
        self._collect_fills()

    # ---- fills, orders, account -------------------------------------------------------------------
    def _collect_fills(self) -> None:
        fills = self.ex.drain_fills() if hasattr(self.ex, "drain_fills") else []
        for f in fills:
            self._buf["fills"].append(f)
            pos = self.positions.get(f.market)
            if pos is None:
                continue
            closed = self.ledger.on_fill(pos, f, self.exit_reason.get(f.market, ""))
            if closed is not None:
                self._position_row(f.market, f.ts_ms, closed=True, trade=closed)
                self.positions[f.market] = Position(f.market)
                self.risk.on_trade_closed(f.market, f.ts_ms, closed["net_krw"], closed["net_return"])

    def _order_closed(self, mo: Any, ts: int) -> None:
        self._buf["orders"].append(self.om.row(mo, ts))

    def _reject_row(self, intent: OrderIntent, ts: int, why: str) -> None:
        self._buf["orders"].append({"ts_ms": ts, "market": intent.market, "side": intent.side,
                                    "ord_type": intent.ord_type, "price": intent.price, "volume": intent.volume,
                                    "state": "rejected", "identifier": intent.identifier, "uuid": None,
                                    "reason": why})

    def _position_row(self, m: str, ts: int, closed: bool = False, trade: dict | None = None) -> None:
        pos = self.positions[m]
        row = {"ts_ms": ts, "market": m, "volume": pos.volume, "cost_krw": pos.cost_krw,
               "realized_krw": pos.realized_krw, "fees_krw": pos.fees_krw, "closed": closed}
        if trade is not None:
            row["trade"] = trade
        self._buf["positions"].append(row)

    def _cash(self) -> tuple[float, float]:
        avail, locked = self.ex.balance("KRW")
        return float(avail), float(locked)

    def _valuation(self) -> tuple[float, float, dict[str, float]]:
        avail, locked = self._cash()
        held: dict[str, float] = {}
        for m in self.markets:
            a, lk = self.ex.balance(m.split("-", 1)[1])
            vol = float(a) + float(lk)
            px = self.last_px[m]
            if vol > 0 and math.isfinite(px):
                held[m] = vol * px
        cash = avail + locked
        return cash + sum(held.values()), cash, held

    def _snapshot(self, ts: int) -> None:
        equity, cash, held = self._valuation()
        self._last_equity_ms = ts
        self._buf["equity"].append({"ts_ms": ts, "equity_krw": equity, "cash_krw": cash,
                                    "position_krw": sum(held.values())})
        self.ledger.on_equity(ts, equity, held)

    def _evaluate_risk(self, ts: int) -> None:
        self._last_eval_ms = ts
        equity, cash, held = self._valuation()
        open_bids = sum(getattr(mo.order, "locked", 0.0) for mo in self.om.open.values() if mo.intent.side == "bid")
        self.risk.on_account(ts, equity_krw=equity, cash_krw=cash,
                             positions_krw={m: v for m, v in held.items() if v >= MIN_ORDER_KRW},
                             open_orders_krw=float(open_bids))
        met = self.metrics
        met.set(MN.ZOMBIE_ORDERS, self.om.overdue(ts))
        met.set(MN.STORE_ERRORS, self.store_errors)
        if self.host_metrics:
            met.set(MN.MEMORY_RSS_MB, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
        if self.drift is not None and ts - self._last_drift_ms >= DRIFT_PUBLISH_MS:
            self._last_drift_ms = ts          # a KS pass over every feature costs ~10 ms: not every tick
            self.drift.publish(met)           # (its calibration keys are overwritten below when calibrated)
        if self.calibrated:
            self.outcomes.publish(met)
        if self._lat and self.host_metrics:
            lat = sorted(self._lat)
            met.set(MN.INFERENCE_LATENCY_MS, lat[int(0.95 * (len(lat) - 1))])
        for trip in self.risk.evaluate(met, ts):
            self.ledger.on_trip(trip, ts)          # the risk manager persisted it already
            if trip.action == CANCEL_ALL:
                self.om.cancel_all(ts, trip.market or None)

    # ---- end of run ------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write buffered rows to the store (one batch per table)."""
        if self.store is None or self.run_id is None:
            for rows in self._buf.values():
                rows.clear()
            return
        writers = {"decisions": self.store.record_decisions, "orders": self.store.record_orders,
                   "fills": self.store.record_fills, "positions": self.store.record_positions,
                   "equity": self.store.record_equity}
        for k, rows in self._buf.items():
            if rows:
                try:
                    writers[k](self.run_id, rows)
                except Exception:
                    self.store_errors += 1
                    raise
                rows.clear()

    def close(self) -> None:
        """End of data: book what is left, take a final equity snapshot, record open orders, flush."""
        self._collect_fills()
        for mo in self.om.poll(self.now_ms + max(self.om.s.poll_interval_ms, 0)):
            self._order_closed(mo, self.now_ms)
        for mo in self.om.open.values():
            self._buf["orders"].append(self.om.row(mo, self.now_ms))
        for m, pos in self.positions.items():
            if pos.volume > 0:
                self._position_row(m, self.now_ms, closed=False)
        self._snapshot(self.now_ms)
        self.ledger.finish(self.positions, self.last_px, self.fee_rate, self.now_ms)
        self.flush()
