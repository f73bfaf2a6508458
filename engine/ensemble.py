"""Walk-forward ensemble: build, fit and predict every configured tower per fold, then fuse their P(up).

Shared by `scalp walkforward`, `scalp train` and `scalp bench decision`. Towers are told apart by what
they declare (`baseline`, `needs_ticks`, `sequential`), never by their id or component name:
- towers taking a calibration fold (catboost): fit on the training rows, X_cal/y_cal = the
  calibration fold (isotonic is fitted there only);
- sequential towers (ssm, lstm): rows of several markets are interleaved in the Dataset, so `groups` =
  the market of each row goes to BOTH fit and predict; `close`/`volume` of the decision bar train the
  4 context heads. Predictions run causally over one contiguous span starting `warm_rows_per_market`
  rows per market before the calibration window, so calibration and test rows see a warm state
  (features only; no label of those rows is used);
- other towers (regime: logistic fit) on the training rows; rule baselines (`baseline`: momentum_rule,
  random_entry, buy_and_hold) are not walk-forward models and are left out; towers that need ticks
  (`needs_ticks`: hfp) are skipped on bars and reported.
Fusion: `weighted` uses its preset weights (absent roles renormalised); fusions with `fit` (stacked,
learned) are fitted on the CALIBRATION fold outputs, never on test rows.
"""
from __future__ import annotations

import inspect
import math
import time

import numpy as np

from engine.conf import plain

DEFAULT_TOWERS = {"catboost": {"component": "catboost"}}


def tower_nodes(cfg) -> tuple[dict[str, dict], dict[str, str]]:
    """(tower id -> node of the towers the walk-forward trains, skipped id -> reason).

    With no trainable tower selected (the root default is the momentum_rule baseline) the CatBoost
    tower is used, as the walk-forward has always done.
    """
    import registry
    towers = plain(cfg.get("towers")) if cfg is not None and cfg.get("towers") else {}
    nodes, skipped = {}, {}
    for tid, node in (towers or {}).items():
        cls = registry.get("tower", str((node or {}).get("component", tid)), path=f"towers.{tid}")
        if getattr(cls, "baseline", False):
            skipped[tid] = "rule baseline: not trained by the walk-forward (random entry is its baseline)"
        elif getattr(cls, "needs_ticks", False):
            skipped[tid] = "needs tick data; the walk-forward runs on closed 1m bars"
        else:
            nodes[tid] = dict(node)
    return (nodes or {k: dict(v) for k, v in DEFAULT_TOWERS.items()}), skipped


def build_tower_node(tid: str, node: dict, seed: int):
    """A fresh tower for one fold: saved models are never loaded (the walk-forward always refits)."""
    import registry
    node = dict(node)
    node.pop("model_path", None)
    fields = registry.get("tower", str(node.get("component", tid)), path=f"towers.{tid}").Params.model_fields
    for key in ("random_seed", "seed"):          # the fold's seed goes to whichever seed the tower takes
        if key in fields:
            node.setdefault(key, seed)
            break
    return registry.build("tower", node, path=f"towers.{tid}")


def with_boosting(tid: str, node: dict, boosting_type: str) -> dict:
    """The node with the walk-forward's boosting type for towers that have one (`config` keeps theirs)."""
    import registry
    if boosting_type == "config":
        return node
    cls = registry.get("tower", str(node.get("component", tid)), path=f"towers.{tid}")
    return {**node, "boosting_type": boosting_type} if "boosting_type" in cls.Params.model_fields else node


def is_sequence(tower) -> bool:
    """Recurrent towers declare it (`Tower.sequential`); the engine never special-cases a class."""
    return bool(getattr(tower, "sequential", False))


def fit_tower(tower, ds, train: np.ndarray, cal: np.ndarray, label_id: str = "") -> float:
    """Fit one tower on `train` rows (calibration on `cal` where the tower uses one); returns seconds."""
    span = (int(ds.ts_ms[train[0]]), int(ds.ts_ms[train[-1]])) if len(train) else None
    t0 = time.perf_counter()
    if hasattr(tower, "bind_providers"):        # before fit: rule towers resolve capability inputs with it
        tower.bind_providers(getattr(ds, "providers", {}) or {})
    if is_sequence(tower):      # calibration rows may stop its training early; it then widens its span
        tower.step_bars = int(getattr(ds, "stride_bars", 1) or 1)     # served on the cadence it trains on
        tower.fit(ds.X[train], ds.y[train], ds.names, close=_col(ds, "close", train), volume=_col(ds, "volume", train),
                  groups=ds.market[train], span_ms=span, label=label_id, X_cal=ds.X[cal], y_cal=ds.y[cal],
                  groups_cal=ds.market[cal], close_cal=_col(ds, "close", cal), volume_cal=_col(ds, "volume", cal),
                  cal_ts_ms=ds.ts_ms[cal])
    else:                       # the calibration labels are part of what the model has seen: span covers them
        if span and len(cal):
            span = (span[0], max(span[1], int(ds.ts_ms[cal[-1]])))
        tower.fit(ds.X[train], ds.y[train], ds.names, X_cal=ds.X[cal], y_cal=ds.y[cal], cal_ts_ms=ds.ts_ms[cal],
                  span_ms=span, label=label_id)
    if getattr(tower, "feature_names", None) is None:    # fit already bound it; bind again would reset some
        tower.bind(ds.names)                             # towers (regime) to their prior weights
    return time.perf_counter() - t0


def _col(ds, name: str, rows: np.ndarray):
    a = getattr(ds, name, None)
    return None if a is None else a[rows]


def predict_tower(tower, ds, parts: dict[str, np.ndarray], warm_rows_per_market: int = 200) -> dict[str, np.ndarray]:
    """P(up) of one tower on each named row set (sorted row indices of the Dataset)."""
    if not is_sequence(tower):
        return {k: tower.predict(ds.X[r])[:, 0] for k, r in parts.items()}
    nonempty = [r for r in parts.values() if len(r)]
    if not nonempty:
        return {k: np.zeros(0) for k in parts}
    first = min(int(r[0]) for r in nonempty)
    last = max(int(r[-1]) for r in nonempty)
    start = max(0, first - warm_rows_per_market * len(ds.markets))
    run = np.arange(start, last + 1)
    p = tower.predict(ds.X[run], groups=ds.market[run])[:, 0]
    return {k: p[r - start] for k, r in parts.items()}


def fit_predict(tower, ds, fold, label_id: str = "") -> tuple[float, dict[str, np.ndarray]]:
    """One tower fitted on a walk-forward fold: (fit seconds, {"cal": P(up), "test": P(up)})."""
    secs = fit_tower(tower, ds, fold.train, fold.cal, label_id)
    return secs, predict_tower(tower, ds, {"cal": fold.cal, "test": fold.test})


def build_fusion(cfg):
    import registry
    node = plain(cfg.get("fusion")) if cfg is not None and cfg.get("fusion") else None
    return registry.build("fusion", node or {"component": "weighted"}, path="fusion")


def fit_fusion(fusion, scores: dict[str, np.ndarray], y: np.ndarray, returns: np.ndarray,
               market_class: str) -> None:
    """Fit a fusion that learns (stacked, learned) on calibration-fold outputs; weighted has no fit."""
    if not hasattr(fusion, "fit") or len(scores) < 2:
        return
    ids = list(scores)
    S = np.column_stack([scores[t] for t in ids])
    if "returns" in inspect.signature(fusion.fit).parameters:
        fusion.fit(S, y, ids, returns=returns, market_class=market_class)
    else:
        fusion.fit(S, y, ids)


def fuse(fusion, scores: dict[str, np.ndarray], market_class: str) -> np.ndarray:
    """Row-wise fused P(up) through the fusion's own `combine` (the same call the engine makes live)."""
    ids = list(scores)
    if len(ids) == 1:
        return np.asarray(scores[ids[0]], np.float64)
    cols = [np.asarray(scores[t], np.float64) for t in ids]
    out = np.empty(len(cols[0]))
    for i in range(len(out)):
        out[i] = fusion.combine({t: float(c[i]) for t, c in zip(ids, cols)}, market_class)
    return out


def fusion_weights(fusion, tower_ids: list[str], market_class: str) -> dict[str, float]:
    try:
        w, _ = fusion.weights_for(tower_ids, market_class)
    except Exception:                       # a fusion without a weight report: say nothing rather than fail
        return {}
    return {k: round(float(v), 4) for k, v in w.items() if isinstance(v, (int, float)) and math.isfinite(v)}
