"""Leakcheck a: end-to-end alignment — data after t changed, everything decided at or before t must not move.

Prices and volumes strictly after t are scrambled; then every feature row, dataset row (features, and
labels already resolved by t) and tower score for decisions at <= t is compared with the untouched
run, through the real dataset builder (looked up at call time, so a patched builder is what runs)
and the configured towers, fitted once on rows whose labels had ended by the earliest t.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from components.types.stream import MarketStream

CUT_FRACTIONS = (0.6, 0.75, 0.9)       # t at these shares of the data's time span
SCORE_ROWS = 600                        # tower scores compared on the last rows before each t
PRICE_JITTER = 0.03                     # ±3 % per bar after t; volumes x0.2..x5


def perturb_after(stream: MarketStream, t_ms: int, seed: int = 0) -> MarketStream:
    """The same stream with every price and volume known strictly after `t_ms` scrambled."""
    rng = np.random.default_rng(seed)
    c, tr, bk = stream.candles, stream.trades, stream.books
    if c is not None and len(c):
        late = (c.ts_ms + c.interval_s * 1000) > t_ms
        f = np.where(late, 1.0 + rng.uniform(-PRICE_JITTER, PRICE_JITTER, len(c)), 1.0)
        v = np.where(late, np.exp(rng.uniform(np.log(0.2), np.log(5.0), len(c))), 1.0)
        c = dataclasses.replace(c, open=c.open * f, high=c.high * f, low=c.low * f, close=c.close * f,
                                volume=c.volume * v, value_krw=c.value_krw * f * v)
    if tr is not None and len(tr):
        late = tr.ts_ms > t_ms
        f = np.where(late, 1.0 + rng.uniform(-PRICE_JITTER, PRICE_JITTER, len(tr)), 1.0)
        tr = dataclasses.replace(tr, price=tr.price * f, volume=tr.volume * np.where(late, rng.uniform(0.2, 5, len(tr)), 1))
    if bk is not None and len(bk):
        late = (bk.ts_ms > t_ms)[:, None]
        f = np.where(late, 1.0 + rng.uniform(-PRICE_JITTER, PRICE_JITTER, (len(bk), 1)), 1.0)
        bk = dataclasses.replace(bk, bid_px=bk.bid_px * f, ask_px=bk.ask_px * f,
                                 bid_sz=bk.bid_sz * np.where(late, 2.0, 1.0), ask_sz=bk.ask_sz * np.where(late, 0.5, 1.0))
    return MarketStream.build(stream.market, candles=c, trades=tr, books=bk)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equal, NaN == NaN."""
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _feature_diffs(fs_cfg: dict, streams: dict, moved: dict, t_ms: int) -> set[str]:
    from engine.features import FeatureSet
    bad: set[str] = set()
    for m, s in streams.items():
        fs = FeatureSet.from_config(fs_cfg)
        X0, names = fs.batch(s)
        X1, _ = FeatureSet.from_config(fs_cfg).batch(moved[m])
        rows = np.asarray(s.ts_ms) <= t_ms
        cols = ~_same(X0[rows], X1[rows]).all(axis=0)
        for fid in fs.ids:
            if any(cols[j] for j, n in enumerate(names) if n == fid or n.startswith(fid + ".")):
                bad.add(fid)
    return bad


def _dataset_diffs(d0, d1, t_ms: int) -> dict:
    """Rows decided at <= t: same rows, same features; labels resolved by t: same label and end."""
    r0, r1 = np.flatnonzero(d0.ts_ms <= t_ms), np.flatnonzero(d1.ts_ms <= t_ms)
    out = {"rows": int(len(r0)), "rows_moved": 0, "x_cells": 0, "labels": 0, "x_columns": []}
    if len(r0) != len(r1) or not (np.array_equal(d0.ts_ms[r0], d1.ts_ms[r1])
                                  and np.array_equal(d0.market[r0], d1.market[r1])):
        out["rows_moved"] = max(1, abs(len(r0) - len(r1)))
        return out
    eq = _same(d0.X[r0], d1.X[r1])
    out["x_cells"] = int((~eq).sum())
    out["x_columns"] = [d0.names[j] for j in np.flatnonzero(~eq.all(axis=0))]
    known = d0.end_ms[r0] <= t_ms
    lab = ~(_same(d0.y[r0], d1.y[r1]) & (d0.end_ms[r0] == d1.end_ms[r1]) & _same(d0.exit_ret[r0], d1.exit_ret[r1]))
    out["labels"] = int((lab & known).sum())
    out["labels_known"] = int(known.sum())
    return out


def _fit_towers(cfg, ds, t_ms: int, seed: int) -> dict:
    """Towers fitted on rows whose labels had ended by t (last quarter of them = calibration)."""
    from engine import ensemble
    from engine.walkforward import build_towers
    done = np.flatnonzero(ds.end_ms <= t_ms)
    cut = int(len(done) * 0.75)
    tr, ca = done[:cut], done[cut:]
    ca = ca[ds.ts_ms[ca] > (ds.end_ms[tr].max() if len(tr) else -1)]     # purge: no training label reaches cal
    towers = build_towers(cfg, seed, "Plain")
    for tower in towers.values():
        ensemble.fit_tower(tower, ds, tr, ca)
    return towers


def _score_diffs(towers: dict, d0, d1, t_ms: int) -> dict[str, float]:
    from engine import ensemble
    r0, r1 = np.flatnonzero(d0.ts_ms <= t_ms)[-SCORE_ROWS:], np.flatnonzero(d1.ts_ms <= t_ms)[-SCORE_ROWS:]
    if len(r0) != len(r1):
        return {tid: float("inf") for tid in towers}
    out = {}
    for tid, tower in towers.items():
        p0 = ensemble.predict_tower(tower, d0, {"x": r0})["x"]
        p1 = ensemble.predict_tower(tower, d1, {"x": r1})["x"]
        out[tid] = float(np.nanmax(np.abs(p0 - p1))) if len(p0) else 0.0
    return out


def check_alignment(cfg, streams: dict, feature_cfg: dict, label, stride_bars: int = 2, seed: int = 42,
                    fractions=CUT_FRACTIONS) -> dict:
    """Perturb after several t; name every feature, dataset part and tower whose past moved."""
    from engine import walkforward
    d0 = walkforward.build_dataset(streams, feature_cfg, label, stride_bars)
    t0, t1 = int(d0.ts_ms[0]), int(d0.ts_ms[-1])
    cuts = [int(t0 + f * (t1 - t0)) for f in fractions]
    towers = _fit_towers(cfg, d0, cuts[0], seed) if cfg is not None else {}
    culprits: set[str] = set()
    per_t, power = [], 0
    for k, t_ms in enumerate(cuts):
        moved = {m: perturb_after(s, t_ms, seed + k) for m, s in streams.items()}
        feats = _feature_diffs(feature_cfg, streams, moved, t_ms)
        d1 = walkforward.build_dataset(moved, feature_cfg, label, stride_bars)
        dd = _dataset_diffs(d0, d1, t_ms)
        scores = _score_diffs(towers, d0, d1, t_ms)
        after0, after1 = d0.X[d0.ts_ms > t_ms], d1.X[d1.ts_ms > t_ms]
        power += int(len(after0) != len(after1) or not _same(after0, after1).all())   # the change did reach the data
        culprits |= {f"feature {f}" for f in feats}
        if dd["rows_moved"]:
            culprits.add("dataset rows")
        if dd["x_cells"]:
            # a column whose feature is clean moved: the builder misaligned it
            culprits |= {f"dataset column {c}" for c in dd["x_columns"] if c.split(".")[0] not in feats}
        if dd["labels"]:
            culprits.add("labels")
        culprits |= {f"tower {tid}" for tid, d in scores.items() if not d <= 1e-9}
        per_t.append({"t_ms": t_ms, "features_moved": sorted(feats), **dd, "tower_max_abs_diff": scores})
    if power < len(cuts):
        culprits.add("perturbation had no effect after t")
    return {"check": "alignment", "passed": not culprits, "culprits": sorted(culprits), "cuts": per_t,
            "numbers": {"cuts": len(cuts), "rows_compared": sum(p["rows"] for p in per_t),
                        "towers": sorted(towers),
                        "max_tower_diff": max((max(p["tower_max_abs_diff"].values(), default=0.0) for p in per_t),
                                              default=0.0)}}
