"""Leakcheck b: shuffled-label null per tower — with labels permuted inside train and calibration, no skill may remain.

Every label-like input is permuted with the same row permutation inside each window: the label, the
realised exit return the entry map learns from and the barrier outcome. The sequence towers' context
targets look ahead in close/volume (they are labels too) and cannot be shuffled from outside the tower,
so under the null close/volume are withheld and those heads stay untrained. The test
window keeps its true labels; a tower whose test AUC leaves the band that circular shifts of the test
labels give (autocorrelation kept) has learned something it could only get from outside its inputs.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine import evaluation as ev

BAND_DRAWS = 999
BAND_QUANTILES = (0.005, 0.995)
MAX_TRADE_SHARE = 0.01           # "almost no trades": at most 1 % of test decisions (and >= 3 allowed)
MIN_TRADES_ALLOWED = 3


def permuted(ds, windows: list[np.ndarray], seed: int):
    """A copy of `ds` with label-like columns shuffled inside each window (rows outside untouched)."""
    rng = np.random.default_rng(seed)
    cols = {name: getattr(ds, name).copy() for name in ("y", "exit_ret", "outcome")
            if getattr(ds, name, None) is not None}
    for rows in windows:           # across markets too: a market's own base rate is skill a tower must not keep
        perm = rng.permutation(rows)
        for a in cols.values():
            a[rows] = a[perm]
    return dataclasses.replace(ds, **cols, close=None, volume=None)


def shift_band(y: np.ndarray, p: np.ndarray, draws: int = BAND_DRAWS, seed: int = 0) -> tuple[float, float]:
    """AUC quantiles of `p` against circularly shifted `y`: the no-relation band with autocorrelation kept."""
    from scipy.stats import rankdata
    y = np.asarray(y).astype(int)
    n, n1 = len(y), int(y.sum())
    if n1 == 0 or n1 == n or n < 20:
        return float("nan"), float("nan")
    r = rankdata(p)
    rng = np.random.default_rng(seed)
    lo = max(1, n // 20)
    shifts = rng.integers(lo, n - lo, draws)
    aucs = np.array([(r[np.roll(y, int(s)) == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (n - n1)) for s in shifts])
    return tuple(float(q) for q in np.quantile(aucs, BAND_QUANTILES))


def _trainable(tower) -> bool:
    return bool(getattr(tower, "trainable", False))


def null_tower(cfg, ds, folds, wf, tid: str, seed: int) -> dict | None:
    """One tower under the null over all folds: pooled test AUC vs band, trades its entry takes."""
    from engine import ensemble
    from engine.walkforward import build_entry, build_towers
    from engine.costs import bind_costs, build_cost_model
    costs = build_cost_model(cfg)                  # the run's one cost model, priced per row like run_fold
    spread, rt_cost = ev.row_costs(costs, ds.markets, ds.market, ds.close, ds.bar_spread)
    ys, ps, trades, rows = [], [], 0, 0
    for f in folds:
        tower = build_towers(cfg, wf.seed, wf.boosting_type)[tid]
        if not _trainable(tower):
            return None
        null = permuted(ds, [f.train, f.cal], seed + 7919 * f.k)
        ensemble.fit_tower(tower, null, f.train, f.cal)
        got = ensemble.predict_tower(tower, null, {"cal": f.cal, "test": f.test})
        entry = build_entry(cfg)
        bind_costs(costs, entry)
        entry.fit(got["cal"], null.exit_ret[f.cal], cost_frac=rt_cost[f.cal])
        sig = entry.decide_many(got["test"], spread_frac=spread[f.test], vol_regime=ds.vol_regime[f.test],
                                cost_frac=rt_cost[f.test])
        trades += len(ev.select_trades(sig, ds.market[f.test], ds.ts_ms[f.test], ds.end_ms[f.test]))
        rows += len(f.test)
        ys.append(ds.y[f.test])
        ps.append(got["test"])
    y, p = np.concatenate(ys), np.concatenate(ps)
    auc = ev.auc(y, p)
    lo, hi = shift_band(y, p, seed=seed)
    max_trades = max(MIN_TRADES_ALLOWED, int(MAX_TRADE_SHARE * rows))
    inside = bool(lo <= auc <= hi) if np.isfinite(auc) and np.isfinite(lo) else True
    return {"tower": tid, "auc_null": auc, "band": [lo, hi], "trades": trades, "max_trades": max_trades,
            "test_rows": rows, "passed": inside and trades <= max_trades}


def check_null(cfg, ds, folds, wf, seed: int = 42) -> dict:
    """Every trainable tower of the config under the shuffled-label null; fails naming the towers."""
    from engine.walkforward import build_towers
    per, skipped = [], []
    for tid in build_towers(cfg, wf.seed, wf.boosting_type):
        got = null_tower(cfg, ds, folds, wf, tid, seed)
        (skipped.append(tid) if got is None else per.append(got))
    bad = [r["tower"] for r in per if not r["passed"]]
    return {"check": "null", "passed": not bad, "culprits": [f"tower {t}" for t in bad], "towers": per,
            "numbers": {"towers": len(per), "skipped_rule_towers": skipped, "folds": len(folds),
                        "band_quantiles": list(BAND_QUANTILES)}}
