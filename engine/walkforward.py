"""Purged walk-forward: rolling train -> calibrate -> test windows with an embargo >= the label horizon (ms)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from components.types.bar_spread import corwin_schultz_batch
from components.types.costs import CostModel
from components.types.events import CANDLE
from engine import evaluation as ev
from engine.settings import WalkForwardParams  # the typed root `walkforward` node

DAY_MS = 86_400_000
# Bar features used when the config selects none (all work on 1m candles alone).
FALLBACK_FEATURES = ("rsi_14", "roc_1m", "roc_5m", "bb_width", "atr_pct", "adx_14", "mfi_14", "obv_slope",
                     "vol_regime", "trend_regime", "volume_regime", "time_regime")


@dataclass
class Dataset:
    """Decision rows of every market, sorted by decision time."""
    ts_ms: np.ndarray
    end_ms: np.ndarray
    market: np.ndarray
    markets: list[str]
    X: np.ndarray
    names: list[str]
    y: np.ndarray
    exit_ret: np.ndarray
    vol_regime: np.ndarray
    horizon_ms: int
    close: np.ndarray | None = None       # close / volume of the bar that closed at the decision (context
    volume: np.ndarray | None = None      # heads of the sequence towers train on them)
    providers: dict = field(default_factory=dict)   # capability -> feature id (FeatureSet.providers)
    bar_spread: np.ndarray | None = None  # Corwin-Schultz spread estimate at the decision (the cost model's input)
    outcome: np.ndarray | None = None     # barrier labels: 1 up / 0 stop / -1 time-out (skill columns)
    vol_ref: np.ndarray | None = None     # ATR% alone: the volatility-only reference model's input
    bar: np.ndarray | None = None         # the row's bar index in its market's candles
    stride_bars: int = 1                  # bars between two decision rows of a market
    bars: dict = field(default_factory=dict)   # market -> exit_sim.MarketBars (every closed bar, for round trips)


@dataclass
class Fold:
    k: int
    train: np.ndarray
    cal: np.ndarray
    test: np.ndarray
    bounds_ms: dict[str, int] = field(default_factory=dict)


# -- data ------------------------------------------------------------------------------------------
def feature_nodes(cfg) -> dict:
    from omegaconf import OmegaConf
    nodes = cfg.get("features") if cfg is not None else None
    if nodes is not None and hasattr(nodes, "_metadata"):
        nodes = OmegaConf.to_container(nodes, resolve=True)
    return dict(nodes) if nodes else {n: {"component": n} for n in FALLBACK_FEATURES}


def label_of(cfg):
    import registry
    from omegaconf import OmegaConf
    nodes = cfg.get("labels") if cfg is not None else None
    if nodes:
        lid, node = next(iter(OmegaConf.to_container(nodes, resolve=True).items()))
        return f"labels.{lid}", registry.build("label", node, path=f"labels.{lid}"), node
    node = {"component": "barrier_hit"}
    return "labels.barrier_hit", registry.build("label", node, path="labels.barrier_hit"), node


def build_dataset(streams: dict, feature_cfg: dict, label, stride_bars: int = 1, leak: bool = False,
                  spread_window_bars: int = 20) -> Dataset:
    """Features at candle closes (batch form = the online form), labels from strictly later prices, and the
    bar spread estimate the cost model prices each decision with (over `spread_window_bars` bars)."""
    from engine.features import FeatureSet
    from engine.skill import vol_reference
    from engine.exit_sim import MarketBars
    parts = []
    names: list[str] = []
    providers: dict[str, str] = {}
    bars: dict = {}
    for mi, (market, stream) in enumerate(sorted(streams.items())):
        fs = FeatureSet.from_config(feature_cfg)
        X, names = fs.batch(stream)
        providers = fs.providers
        idx = np.flatnonzero(np.asarray(stream.kind) == CANDLE)
        idx = idx[max(0, fs.warmup):][::stride_bars]
        Xi = X[idx]
        keep = np.isfinite(Xi).mean(1) >= 0.5       # warm-up rows: most features not ready yet
        idx, Xi = idx[keep], Xi[keep]
        if hasattr(label, "outcome"):
            raw, end, ret = label.outcome(stream, idx)
            y = np.where(raw == -1.0, 0.0, raw)
        else:
            y, end = label.compute(stream, idx)
            ret, raw = np.full(len(idx), np.nan), np.full(len(idx), np.nan)
        ok = np.isfinite(y)
        vr_col = fs.column("vol_regime")
        vr = Xi[:, vr_col] if vr_col >= 0 else np.ones(len(idx))
        bar = np.asarray(stream.row)[idx]
        c = stream.candles
        cs_all = corwin_schultz_batch(c.high, c.low, spread_window_bars)
        cs = cs_all[bar]
        bars[market] = MarketBars(np.asarray(c.ts_ms, np.int64) + int(c.interval_s) * 1000,
                                  np.asarray(c.close, np.float64), np.asarray(cs_all, np.float64))
        parts.append((np.asarray(stream.ts_ms, np.int64)[idx][ok], end[ok], np.full(ok.sum(), mi),
                      Xi[ok], y[ok], ret[ok], vr[ok], c.close[bar][ok], c.volume[bar][ok], cs[ok],
                      raw[ok], vol_reference(stream, idx)[ok], bar[ok]))
    ts, end, mk, X, y, ret, vr, close, volume, cs, raw, vref, bar_i = \
        (np.concatenate([p[j] for p in parts]) for j in range(13))
    order = np.lexsort((mk, ts))
    ds = Dataset(ts[order], end[order], mk[order], sorted(streams), X[order], list(names), y[order],
                 ret[order], vr[order], int(label.horizon_ms), close[order], volume[order], providers=providers,
                 bar_spread=cs[order], outcome=raw[order] if hasattr(label, "outcome") else None,
                 vol_ref=vref[order], bar=bar_i[order], bars=bars, stride_bars=int(stride_bars))
    if leak:      # the label itself, shifted back to the decision time: a deliberate look-ahead
        ds.X = np.column_stack([ds.X, ds.y])
        ds.names = ds.names + ["LEAK_future_label"]
    return ds


# -- folds -----------------------------------------------------------------------------------------
def make_folds(ds: Dataset, wf: WalkForwardParams) -> list[Fold]:
    """Test windows back to back at the end of the data; before each: embargo, calibration, embargo, train.

    Purging: a training row whose label ends at or after the calibration start is dropped, and a
    calibration row whose label ends at or after the test start, so no label window reaches into the
    next window. Embargo = max(label horizon, embargo_ms).
    """
    t0, t1 = int(ds.ts_ms[0]), int(ds.ts_ms[-1]) + 1
    span = t1 - t0
    emb = max(int(ds.horizon_ms), int(wf.embargo_ms or 0))
    test = int(wf.test_days * DAY_MS) if wf.test_days else int(span / (wf.folds + 3.5))
    cal = int(wf.cal_days * DAY_MS) if wf.cal_days else int(0.75 * test)
    first_test = t1 - wf.folds * test
    train = int(wf.train_days * DAY_MS) if wf.train_days else first_test - t0 - cal - 2 * emb
    if train <= 0 or first_test - cal - 2 * emb - train < t0 - 1:
        raise ValueError(f"walk-forward: {wf.folds} folds of {test / DAY_MS:.2f} d test + {cal / DAY_MS:.2f} d "
                         f"calibration do not fit in {span / DAY_MS:.2f} d of data; use fewer folds")
    folds = []
    for k in range(wf.folds):
        te0 = first_test + k * test
        te1 = te0 + test if k < wf.folds - 1 else t1
        ca1 = te0 - emb
        ca0 = ca1 - cal
        tr1 = ca0 - emb
        tr0 = max(t0, tr1 - train)
        ts, end = ds.ts_ms, ds.end_ms
        tr = np.flatnonzero((ts >= tr0) & (ts < tr1) & (end < ca0))
        ca = np.flatnonzero((ts >= ca0) & (ts < ca1) & (end < te0))
        te = np.flatnonzero((ts >= te0) & (ts < te1))
        folds.append(Fold(k, tr, ca, te, {"train_start": tr0, "train_end": tr1, "cal_start": ca0,
                                          "cal_end": ca1, "test_start": te0, "test_end": te1, "embargo_ms": emb}))
    return folds


# -- running ---------------------------------------------------------------------------------------
def build_towers(cfg, seed: int, boosting_type: str = "config") -> dict:
    """Fresh towers of every trainable id in cfg.towers (see engine/ensemble.tower_nodes)."""
    from engine.ensemble import build_tower_node, tower_nodes, with_boosting
    nodes, _ = tower_nodes(cfg)
    return {tid: build_tower_node(tid, with_boosting(tid, node, boosting_type), seed) for tid, node in nodes.items()}


def build_entry(cfg):
    import registry
    node = cfg.get("entry") if cfg is not None else None
    return registry.build("entry", node or {"component": "cost_aware"}, path="entry")


RECENT_OUTCOMES = 500     # calibration_ece per fold = ECE of the last N test outcomes (the live monitor's window)


def run_fold(ds: Dataset, fold: Fold, make_towers: Callable, make_entry: Callable, wf: WalkForwardParams,
             label_id: str = "", make_fusion: Callable | None = None,
             market_class: str = "majors", costs: CostModel | None = None,
             exits: Any = None, fits: tuple[dict, dict] | None = None) -> tuple[dict, dict, Any, Any]:
    """Fit every tower on the fold, fuse on the calibration outputs, score the fused P(up) on test.

    With `exits` (the bot's exit chain) every calibration and test row is a simulated round trip under those
    exits, priced by `costs` (engine/exit_sim.py): the entry rule learns its expected-return map from the
    calibration trips (purged: trips still open at the test start are left out) and the `estimate_*` columns
    trade the test trips; without it both use the label's barrier trade. The fold's real trades and PnL come
    from the engine replay (`engine_figures`). `fits` = (towers, tid -> (seconds, predictions)) already fitted on
    this fold (engine/wf_fit.py); `make_towers` is then not called. Returns (metrics row, fitted towers, entry
    rule, fusion or None)."""
    from engine import ensemble
    from engine.costs import bind_costs
    from engine.drift import fold_drift
    from engine import trials
    from engine.skill import skill_columns
    costs = costs if costs is not None else CostModel()
    spread, rt_cost = ev.row_costs(costs, ds.markets, ds.market, ds.close, ds.bar_spread)
    towers, done = fits if fits is not None else _fit_fold(ds, fold, make_towers, wf, label_id)
    te = fold.test
    y = ds.y[te]
    secs, p_cal, p_test = {}, {}, {}
    for tid, (s, got) in done.items():
        secs[tid], p_cal[tid], p_test[tid] = s, got["cal"], got["test"]
    fusion = make_fusion() if make_fusion is not None and len(towers) > 1 else None
    bind_costs(costs, fusion)
    if fusion is not None:        # learned from the calibration fold only: test rows never reach fit
        ensemble.fit_fusion(fusion, p_cal, ds.y[fold.cal], ds.exit_ret[fold.cal], market_class)
        pc, p = ensemble.fuse(fusion, p_cal, market_class), ensemble.fuse(fusion, p_test, market_class)
    else:
        pc, p = next(iter(p_cal.values())), next(iter(p_test.values()))
    entry = make_entry()
    bind_costs(costs, entry)
    span = (fold.bounds_ms["test_start"], fold.bounds_ms["test_end"])
    gross, net_all, end = _outcomes(ds, fold, exits, costs, spread, market_class)
    cal = fold.cal[np.isfinite(gross[fold.cal]) & (end[fold.cal] < span[0])]
    entry.fit(pc[np.isin(fold.cal, cal)], gross[cal], cost_frac=rt_cost[cal])   # calibration outcomes, gross
    if exits is not None and exits.reads_expectation and getattr(entry, "map_x", None) is not None:
        # an exit acts on the map's expectation (ev_trail): trips again with it, and the map refitted on those
        expected = _expectations(ds, fold, entry, pc, p)
        gross, net_all, end = _outcomes(ds, fold, exits, costs, spread, market_class, expected)
        cal = fold.cal[np.isfinite(gross[fold.cal]) & (end[fold.cal] < span[0])]
        entry.fit(pc[np.isin(fold.cal, cal)], gross[cal], cost_frac=rt_cost[cal])
    signal = entry.decide_many(p, spread_frac=spread[te], vol_regime=ds.vol_regime[te], cost_frac=rt_cost[te])
    signal &= np.isfinite(net_all[te])
    taken = ev.select_trades(signal, ds.market[te], ds.ts_ms[te], end[te])
    model = trials.guard({f"estimate_{k}": v for k, v in ev.trade_stats(
        net_all[te][taken], end[te][taken], wf.notional_krw, wf.initial_krw, span).items()},
        len(taken), wf.min_trades, ("estimate_sharpe",))
    if hasattr(entry, "expected_gross"):            # the map's expected net return of every test row, once
        pred = entry.expected_gross(p) - rt_cost[te]
        if len(taken):
            model["estimate_predicted_net_return_mean"] = float(np.mean(pred[taken]))
        model.update(top_rows_prediction(pred, net_all[te]))
    finite = np.flatnonzero(np.isfinite(net_all[te]))
    base = ev.random_entry_baseline(net_all[te][finite], ds.market[te][finite], np.flatnonzero(np.isin(finite, taken)),
                                    wf.baseline_draws, wf.seed + fold.k)
    bd = finite[base.pop("baseline_draw")]
    bstats = ev.trade_stats(net_all[te][bd], end[te][bd], wf.notional_krw, wf.initial_krw, span)
    row = {"fold": fold.k, **{k: int(v) for k, v in fold.bounds_ms.items()},
           "train_rows": int(len(fold.train)), "cal_rows": int(len(fold.cal)), "test_rows": int(len(te)),
           "positive_rate": float(y.mean()) if len(y) else math.nan,
           "auc": ev.auc(y, p), "brier": ev.brier(y, p), "ece": ev.ece(y, p, 10), "log_loss": ev.log_loss(y, p),
           **model, "baseline_net_pnl": bstats["net_pnl"], "baseline_sharpe": bstats["sharpe"],
           "baseline_max_drawdown": bstats["max_drawdown"], **base,
           "exposure_bars": int((end[te][taken] - ds.ts_ms[te][taken]).sum() // 60_000),
           "train_seconds": round(sum(secs.values()), 3), "calibrated": all(bool(getattr(t, "calibrated", False)) for t in towers.values()),
           "towers": list(towers), "fusion": getattr(fusion, "component_name", None) or
           (type(fusion).__name__ if fusion is not None else None),
           "fusion_weights": ensemble.fusion_weights(fusion, list(towers), market_class) if fusion else {},
           "calibration_curve": ev.calibration_bins(y, p, 10), **skill_columns(ds, fold.train, te, p)}
    for tid in towers:
        row[f"auc_{tid}"] = ev.auc(y, p_test[tid])
        row[f"train_seconds_{tid}"] = round(secs[tid], 3)
    recent = slice(max(0, len(te) - RECENT_OUTCOMES), len(te))
    row.update(fold_drift(ds.X[fold.train], ds.X[te], ds.names, p_test=p[recent], y_test=y[recent], seed=fold.k))
    row["estimate_hourly_returns"] = trials.hourly_returns(net_all[te][taken] * wf.notional_krw,
                                                           end[te][taken], span, wf.initial_krw)
    row["estimate_exits"] = "configured" if exits is not None else "barrier"
    row["estimate_entry_ts_ms"] = [int(x) for x in ds.ts_ms[te][taken]]
    return row, towers, entry, fusion


def _fit_fold(ds: Dataset, fold: Fold, make_towers: Callable, wf: WalkForwardParams,
              label_id: str) -> tuple[dict, dict]:
    """(towers, tid -> (fit seconds, {"cal", "test"} P(up))): one fold's towers fitted here, side by side on
    `wf.fit_threads` threads."""
    from engine import ensemble
    towers = make_towers()
    if not isinstance(towers, dict):
        towers = {"tower": towers}

    def fit_one(tower) -> tuple[float, dict]:
        return ensemble.fit_predict(tower, ds, fold, label_id)

    workers = min(int(getattr(wf, "fit_threads", 1) or 1), len(towers))
    if workers > 1:     # towers share nothing and their heavy parts release the GIL: fit them side by side
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(workers, thread_name_prefix="fit") as pool:
            return towers, dict(zip(towers, pool.map(fit_one, towers.values())))
    return towers, {tid: fit_one(tower) for tid, tower in towers.items()}


TOP_SHARE = 0.01     # the test rows where the entry map is highest: where an over-promising map shows first


def top_rows_prediction(pred: np.ndarray, net: np.ndarray, share: float = TOP_SHARE) -> dict:
    """The map's promise where it is highest, out of sample, with more rows than the trades taken: over the
    test rows in the top `share` of predicted net return, mean predicted vs mean simulated net return (the
    configured exits, cost-model prices) and the latter's standard error (fractions)."""
    ok = np.flatnonzero(np.isfinite(pred) & np.isfinite(net))
    if not len(ok):
        return {}
    top = ok[pred[ok] >= np.quantile(pred[ok], 1.0 - share)]
    real = net[top]
    return {"estimate_top_rows": int(len(top)), "estimate_top_predicted_net_return_mean": float(np.mean(pred[top])),
            "estimate_top_net_return_mean": float(np.mean(real)),
            "estimate_top_net_return_se": float(np.std(real, ddof=1) / math.sqrt(len(real))) if len(real) > 1
            else math.nan}


def _expectations(ds: Dataset, fold: Fold, entry: Any, p_cal: np.ndarray, p_test: np.ndarray) -> dict:
    """market -> per bar: the entry map's expected return at the fold's calibration and test decision rows,
    held until the next decision (the engine's expectation between two decisions of that market)."""
    out = {}
    rows = np.concatenate([fold.cal, fold.test])
    exp_rows = np.asarray(entry.expected_gross(np.concatenate([p_cal, p_test])), np.float64)
    for mi, name in enumerate(ds.markets):
        at = ds.market[rows] == mi
        arr = np.full(len(ds.bars[name].close), np.nan)
        arr[ds.bar[rows][at]] = exp_rows[at]
        known = np.where(np.isfinite(arr), np.arange(len(arr)), -1)
        last = np.maximum.accumulate(known)                 # hold the last known value forward
        out[name] = np.where(last >= 0, arr[np.maximum(last, 0)], np.nan)
    return out


def _outcomes(ds: Dataset, fold: Fold, exits: Any, costs: CostModel, spread: np.ndarray,
              market_class: str, expected: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(gross mid-to-mid return, net return, exit ms) per dataset row, filled on the fold's calibration and
    test rows: simulated round trips under `exits`, else the label's barrier trade priced by `costs`."""
    if exits is None or ds.bar is None:
        return ds.exit_ret, ev.net_returns(costs, ds.exit_ret, ds.markets, ds.market, ds.close, spread), ds.end_ms
    from engine.exit_sim import simulate
    rows = np.concatenate([fold.cal, fold.test])
    rt = simulate(rows, ds.market, ds.bar, ds.markets, ds.bars, exits, costs, market_class, costs.latency_ms,
                  expected=expected)
    gross, net = np.full(len(ds.y), np.nan), np.full(len(ds.y), np.nan)
    end = ds.end_ms.copy()
    gross[rows], net[rows], end[rows] = rt.gross, rt.net, rt.exit_ms
    return gross, net, end


def engine_figures(row: dict, trades: list[dict], span_ms: tuple[int, int], initial_krw: float,
                   min_trades: int) -> dict:
    """`row` plus the engine's figures for one test window from its closed round trips (KRW, net of fees,
    spread, slippage and tick rounding as the simulated exchange charged them): trades, net/gross PnL, fees,
    spread + slippage, win rate, hourly Sharpe, max drawdown, the hourly returns the deflated Sharpe pools."""
    from engine import trials
    net = np.asarray([tr["net_krw"] for tr in trades], float)
    exit_ms = np.asarray([tr["exit_ts_ms"] for tr in trades], np.int64)
    cost = np.asarray([tr["buy_krw"] + tr["buy_fee_krw"] for tr in trades], float)
    out = dict(row)
    out.update(trades=int(len(trades)), net_pnl=float(net.sum()), net_pnl_krw=float(net.sum()),
               gross_pnl_krw=float(sum(tr["gross_krw"] for tr in trades)),
               fees_krw=float(sum(tr["fees_krw"] for tr in trades)),
               spread_slippage_krw=float(sum(tr.get("spread_slippage_krw", 0.0) for tr in trades)),
               net_return_mean=float((net / cost).mean()) if len(net) else 0.0,
               win_rate=float((net > 0).mean()) if len(net) else math.nan,
               entry_ts_ms=[int(tr["entry_ts_ms"]) for tr in trades])
    hourly = np.asarray(trials.hourly_returns(net, exit_ms, span_ms, initial_krw))
    sd = hourly.std(ddof=1) if len(hourly) > 1 else 0.0
    out["sharpe"] = float(hourly.mean() / sd * math.sqrt(ev.HOURS_PER_YEAR)) if sd > 0 else 0.0
    out["sharpe_hourly"] = out["sharpe"] / math.sqrt(ev.HOURS_PER_YEAR)
    equity = initial_krw + np.concatenate([[0.0], np.cumsum(net[np.argsort(exit_ms, kind="stable")])])
    out["max_drawdown"] = float(np.max(1.0 - equity / np.maximum.accumulate(equity)))
    out["hourly_returns"] = [float(x) for x in hourly]
    from engine.summary import cost_breakdown, predicted_vs_realised
    out.update({k: v for k, v in cost_breakdown(trades).items() if k.endswith("_bps")})
    out.update(predicted_vs_realised(trades))
    return trials.guard(out, out["trades"], min_trades)


def run_walkforward(cfg, wf: WalkForwardParams, streams: dict | None = None,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Whole walk-forward on the configured feed: every fold fitted on its own past, then (`wf.engine_loop`,
    never with `wf.leak`) the data replayed once through the engine with each fold's models from its test
    start — the same replay `scalp backtest` runs — and each fold's trades and PnL taken from it."""
    from engine.ensemble import tower_nodes, with_boosting
    from engine.costs import build_cost_model
    from engine.wf_backtest import engine_fold_rows, fit_folds, replay_folds
    label_path, _, _ = label_of(cfg)
    costs = build_cost_model(cfg)
    streams = streams if streams is not None else load_streams(cfg)
    ds, fitted = fit_folds(cfg, streams, wf, say=(lambda f, _r: progress(f.k + 1, wf.folds)) if progress else None)
    if wf.engine_loop and not wf.leak:
        loop = replay_folds(cfg, streams, ds, fitted)
        rows = engine_fold_rows(fitted, loop.ledger.data.trades, loop.ledger.data.initial_krw, wf.min_trades)
    else:
        rows = [f[1] for f in fitted]
    from engine.wf_backtest import _importance
    towers = fitted[-1][2] if fitted else {}
    nodes, skipped = tower_nodes(cfg)
    tower = next((t for t in towers.values() if hasattr(t, "feature_importance")), next(iter(towers.values()), None))
    tower_id = next((tid for tid, t in towers.items() if t is tower), None)
    tparams = {tid: with_boosting(tid, n, wf.boosting_type) for tid, n in nodes.items()}
    from components.types.signature import params_hash
    _, _, label_node = label_of(cfg)
    return {"folds": rows, "feature_importance": _importance(fitted), "feature_names": ds.names,
            "markets": ds.markets, "label": label_path, "label_id": f"{label_node.get('component')}:{params_hash(label_node)}",
            "tower_params": tparams.get(tower_id) or tparams, "towers_params": tparams, "towers_skipped": skipped,
            "rows": int(len(ds.y)), "leak": wf.leak, "tower": tower, "fold_towers": towers,
            "summary": summarize(rows, wf.min_trades), "evaluation": "engine" if rows and "trades" in rows[0] else "estimate",
            "costs": {"fee_rate": costs.fee_rate, "spread_floor_frac": costs.spread_floor_frac,
                      "slippage_frac": costs.slippage_frac}}


def summarize(rows: list[dict], min_trades: int = 30) -> dict:
    """Means (sums for PnL and trades) over folds, plus the deflated Sharpe ratio of the pooled test hours.

    The deflated Sharpe here counts this run as the only trial (N = 1: skew and kurtosis of the hourly
    returns still apply); `scalp walkforward` replaces it with N = the distinct trials on an overlapping
    span from the store (engine/trials.py). Below `min_trades` trades Sharpe and DSR read n/a.
    """
    sums = ("net_pnl", "net_pnl_krw", "gross_pnl_krw", "fees_krw", "spread_slippage_krw", "baseline_net_pnl",
            "trades", "estimate_net_pnl", "estimate_trades")
    keys = ("auc", "brier", "ece", "log_loss", "sharpe", "estimate_sharpe", "train_seconds", "drift_ks_max",
            "drift_features_share", "calibration_ece", "auc_up", "auc_stop", "auc_direction",
            "auc_volatility_ref") + sums
    out = {}
    for k in keys:
        vals = [r[k] for r in rows if isinstance(r.get(k), (int, float)) and math.isfinite(r[k])]
        out[k] = float(np.sum(vals)) if vals and k in sums else float(np.mean(vals)) if vals else math.nan
    for tid in (rows[0].get("towers") or []) if rows else []:
        vals = [r.get(f"auc_{tid}") for r in rows]
        vals = [v for v in vals if isinstance(v, float) and math.isfinite(v)]
        out[f"auc_{tid}"] = float(np.mean(vals)) if vals else math.nan
    out.update(deflated_sharpe_across(rows, min_trades=min_trades))
    if rows and "trades" in rows[0]:        # engine figures: the entry's promise vs the engine's trades, all folds
        from engine.summary import pooled_prediction
        out.update(pooled_prediction(rows))
    top = [r for r in rows if r.get("estimate_top_rows")]
    if top:                                 # the map's promise at its top, out of sample, all folds
        n = np.asarray([r["estimate_top_rows"] for r in top], np.float64)
        out["estimate_top_rows"] = int(n.sum())
        for k in ("estimate_top_predicted_net_return_mean", "estimate_top_net_return_mean"):
            out[k] = float(np.sum(n * np.asarray([r[k] for r in top])) / n.sum())
    from engine.trials import guard
    return guard(out, out.get("trades") or 0, min_trades)


def pooled_returns(rows: list[dict]) -> list[float]:
    """The test windows' hourly returns, fold after fold (one series: this run's out-of-sample record)."""
    return [x for r in rows for x in (r.get("hourly_returns") or [])]


def deflated_sharpe_across(rows: list[dict], others: list[dict] | tuple = (), config: str = "",
                           min_trades: int = 30) -> dict:
    """DSR of the pooled hourly test returns; `others` = earlier trials (store rows) on an overlapping span."""
    from engine.trials import deflate
    trades = int(sum(r.get("trades") or 0 for r in rows))
    return deflate(pooled_returns(rows), list(others), config, trades, min_trades)


def load_streams(cfg) -> dict:
    """Candle streams of cfg.markets from the configured feed (bundled examples/data by default)."""
    import registry
    from omegaconf import OmegaConf
    node = OmegaConf.to_container(cfg.feed, resolve=True) if cfg is not None and cfg.get("feed") else \
        {"component": "replay"}
    node = {**node, "kinds": ["candle"]}                # walk-forward runs on closed bars
    feed = registry.build("feed", node, path="feed")
    markets = list(cfg.markets) if cfg is not None and cfg.get("markets") else None
    return feed.load(markets)
