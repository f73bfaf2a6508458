"""Leakcheck e: warm-up dependence — a feature after its declared warm-up must not depend on where history starts."""
from __future__ import annotations

import numpy as np

from components.feature._base import KIND_CODE
from components.types.stream import MarketStream

START_FRACTIONS = (0.2, 0.45, 0.7)   # history cut at these shares of each market's events
REL_TOL = 0.01                      # allowed |truncated - full| in units of the column's full-history std


def truncate(stream: MarketStream, from_ms: int) -> MarketStream:
    """The events of `stream` that become known at or after `from_ms` (a later start of the same data)."""
    def cut(batch, known):
        return None if batch is None else batch.take(np.flatnonzero(known >= from_ms))
    c, tr, bk = stream.candles, stream.trades, stream.books
    return MarketStream.build(
        stream.market,
        candles=cut(c, c.ts_ms + c.interval_s * 1000) if c is not None else None,
        trades=cut(tr, tr.ts_ms) if tr is not None else None,
        books=cut(bk, bk.ts_ms) if bk is not None else None)


def _one(fid: str, node: dict):
    from engine.features import FeatureSet
    return FeatureSet.from_config({fid: node})


def feature_dependence(fid: str, node: dict, streams: dict, fractions=START_FRACTIONS) -> dict:
    """Worst deviation (in column std) of the truncated-history value after the declared warm-up."""
    worst, rows, missing, warm = 0.0, 0, 0, 0
    for market, stream in sorted(streams.items()):
        fs = _one(fid, node)
        full, _ = fs.batch(stream)
        warm = int(fs.warmup)
        feature = next(iter(fs.features.values()))
        codes = [KIND_CODE[k] for k in feature.needs] or list(KIND_CODE.values())
        scale = np.nanstd(np.where(np.isfinite(full), full, np.nan), axis=0)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        for frac in fractions:
            i0 = int(frac * len(stream))
            if i0 <= 0 or i0 >= len(stream):
                continue
            sub = truncate(stream, int(stream.ts_ms[i0]))
            part, _ = _one(fid, node).batch(sub)
            seen = np.cumsum(np.isin(sub.kind, codes))
            after = np.flatnonzero(seen >= warm)
            if not len(after):
                continue
            a, b = full[len(stream) - len(sub):][after], part[after]
            fa, fb = np.isfinite(a), np.isfinite(b)
            missing += int((fa != fb).sum())
            both = fa & fb
            if both.any():
                worst = max(worst, float(np.max(np.where(both, np.abs(a - b) / scale, 0.0))))
            rows += len(after)
    return {"feature": fid, "warmup": warm, "max_dev_std": worst, "nan_mismatch": missing, "rows": rows,
            "passed": worst <= REL_TOL and missing == 0}


def check_warmup(streams: dict, feature_cfg: dict) -> dict:
    """Every configured feature, every market, several start points; fails naming the features."""
    per = [feature_dependence(fid, node, streams) for fid, node in feature_cfg.items()]
    bad = [r["feature"] for r in per if not r["passed"]]
    worst = max(per, key=lambda r: r["max_dev_std"]) if per else None
    return {"check": "warmup", "passed": not bad, "culprits": bad, "features": per,
            "numbers": {"features": len(per), "starts": len(START_FRACTIONS), "tolerance_std": REL_TOL,
                        "worst_feature": worst["feature"] if worst else None,
                        "worst_dev_std": worst["max_dev_std"] if worst else 0.0}}
