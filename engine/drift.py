"""Model drift: per-feature two-sample KS (recent vs training window) and calibration error (ECE) on
recent outcomes, published as engine metrics for the drift and calibration_error kill switches.

Metric names (engine Metrics, read by RISK's switches; calibration names from components/types/metric_names.py):
  drift_ks_max            largest KS statistic over features (0..1)
  drift_features_shifted  how many features are shifted (p < alpha AND KS >= min_ks)
  drift_features_share    that count / number of features tested (0..1)
  drift_ks_excess         largest (KS - that feature's calibrated limit); NaN without calibrated limits
  calibration_ece         ECE of recent P(up) vs outcomes, 10 equal-width bins (0..1) -> calibration_error switch
  calibration_samples     outcomes the ECE is computed on
A feature counts as shifted only when the KS statistic is also large: with thousands of rows a
trivially small difference is "significant", and serially correlated market data is never iid. "Large" is
calibrated per feature on the training rows themselves (`null_ks_limits`): a window of consecutive training
rows already differs from the rows before it (clock features over a few hours, volatility clustering, the
ordinary drift from one period to the next), so a live window counts as shifted only beyond the
`null_quantile` of those out-of-sample window KS values.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from components.types.metric_names import (CALIBRATION_ECE, CALIBRATION_SAMPLES, DRIFT_FEATURES_SHARE,
                                           DRIFT_FEATURES_SHIFTED, DRIFT_KS_EXCESS, DRIFT_KS_MAX)
from components.types.metrics import Metrics

__all__ = ["DRIFT_KS_MAX", "DRIFT_FEATURES_SHIFTED", "DRIFT_FEATURES_SHARE", "DriftMonitor", "DriftReport",
           "expected_calibration_error", "fold_drift", "ks_drift", "sorted_columns"]


@dataclass(frozen=True)
class DriftReport:
    """KS result per feature (NaN where a side had < min_rows finite values; p-value also NaN under the KS
    limit when ks_drift was asked for the needed p-values only)."""
    feature_names: tuple[str, ...]
    ks: np.ndarray
    p_value: np.ndarray
    shifted: np.ndarray                     # bool per feature
    ks_max: float = field(init=False)
    n_shifted: int = field(init=False)

    def __post_init__(self) -> None:
        finite = self.ks[np.isfinite(self.ks)]
        object.__setattr__(self, "ks_max", float(finite.max()) if finite.size else float("nan"))
        object.__setattr__(self, "n_shifted", int(self.shifted.sum()))

    def worst(self, k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(-np.nan_to_num(self.ks, nan=-1.0))[:k]
        return [(self.feature_names[i], float(self.ks[i])) for i in order if np.isfinite(self.ks[i])]


def ks_drift(X_ref: np.ndarray, X_recent: np.ndarray, feature_names: list[str] | tuple[str, ...],
             alpha: float = 0.01, min_ks: float | np.ndarray = 0.1, min_rows: int = 30,
             ref_sorted: list[np.ndarray] | None = None, all_p_values: bool = True) -> DriftReport:
    """Two-sample KS per column with scipy.stats.ks_2samp's statistic and asymptotic p-value (method="asymp"),
    non-finite values dropped per column; `min_ks` may be one value or one per column (the calibrated limits).
    `ref_sorted` (from `sorted_columns(X_ref)`) skips re-sorting a reference that does not change between
    calls, which is what the live/backtest monitor does. `all_p_values=False` leaves the p-value NaN where the
    statistic stays under `min_ks` (such a column cannot be `shifted` whatever its p-value): the p-value costs
    ~0.7 ms per column, the statistic far less, and the monitor publishes only what `shifted` decides."""
    A, B = np.asarray(X_ref, np.float64), np.asarray(X_recent, np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1] or A.shape[1] != len(feature_names):
        raise ValueError(f"ks_drift: column mismatch: ref {A.shape}, recent {B.shape}, "
                         f"{len(feature_names)} names")
    cols = ref_sorted if ref_sorted is not None else sorted_columns(A)
    f = A.shape[1]
    ks, en = np.full(f, np.nan), np.full(f, np.nan)
    for j in range(f):
        a, b = cols[j], B[:, j][np.isfinite(B[:, j])]
        if a.size >= min_rows and b.size >= min_rows:
            ks[j] = _ks_stat(a, b)
            en[j] = a.size * b.size / (a.size + b.size)
    pv = np.full(f, np.nan)
    ok = np.isfinite(ks)
    if not all_p_values:
        ok &= ks >= min_ks
    if ok.any():
        from scipy.stats import kstwo            # one vectorised call: exact p-values cost ~10x, change nothing here
        pv[ok] = np.clip(kstwo.sf(ks[ok], np.round(en[ok])), 0.0, 1.0)
    shifted = np.isfinite(ks) & (pv < alpha) & (ks >= min_ks)
    return DriftReport(tuple(feature_names), ks, pv, shifted)


def sorted_columns(X: np.ndarray) -> list[np.ndarray]:
    """Each column's finite values, sorted: the reference side of `ks_drift`, computed once."""
    X = np.asarray(X, np.float64)
    return [np.sort(X[:, j][np.isfinite(X[:, j])]) for j in range(X.shape[1])]


def _ks_stat(a_sorted: np.ndarray, b: np.ndarray) -> float:
    """KS statistic of two finite samples, `a_sorted` already sorted (the reference: sorted once); as scipy
    computes it: both empirical CDFs evaluated on the pooled sample."""
    b = np.sort(b)
    both = np.concatenate([a_sorted, b])
    gap = np.searchsorted(a_sorted, both, "right") / a_sorted.size - np.searchsorted(b, both, "right") / b.size
    return float(np.abs(gap).max())


def null_ks_limits(X_train: np.ndarray, window_rows: int, quantile: float = 0.99, held_out: float = 0.4,
                   max_windows: int = 200, min_rows: int = 30) -> np.ndarray | None:
    """Per feature: the `quantile` of the KS statistic between windows of `window_rows` consecutive rows of
    the last `held_out` share of the training rows (the live window's size, in time order) and the rows
    before them — how far an out-of-sample window of ordinary market life already strays from its past.
    NaN for a column without enough finite values; None with under two windows of held-out rows."""
    X = np.asarray(X_train, np.float64)
    split = int(len(X) * (1.0 - held_out))
    if window_rows < min_rows or len(X) - split < 2 * window_rows or split < window_rows:
        return None
    tail = X[split:]
    step = max(window_rows // 2, (len(tail) - window_rows) // max(1, max_windows - 1))
    starts = range(0, len(tail) - window_rows + 1, step)
    out = np.full(X.shape[1], np.nan)
    for j in range(X.shape[1]):
        a = np.sort(X[:split, j][np.isfinite(X[:split, j])])
        if a.size < min_rows:
            continue
        ks = [_ks_stat(a, w[np.isfinite(w)]) for w in (tail[s:s + window_rows, j] for s in starts)
              if np.isfinite(w).sum() >= min_rows]
        if ks:
            out[j] = float(np.quantile(ks, quantile))
    return out


def expected_calibration_error(p: np.ndarray, y: np.ndarray, n_bins: int = 10) -> float:
    """ECE: sum over equal-width probability bins of (bin share) * |mean p - mean y|; NaN rows dropped."""
    p, y = np.asarray(p, np.float64).reshape(-1), np.asarray(y, np.float64).reshape(-1)
    ok = np.isfinite(p) & np.isfinite(y)
    p, y = p[ok], y[ok]
    if p.size == 0:
        return float("nan")
    b = np.minimum((np.clip(p, 0.0, 1.0) * n_bins).astype(np.int64), n_bins - 1)
    gap = np.abs(np.bincount(b, p, n_bins) - np.bincount(b, y, n_bins))     # |sum p - sum y| per bin
    return float(gap.sum() / p.size)


def fold_drift(X_train: np.ndarray, X_test: np.ndarray, feature_names: list[str], p_test: np.ndarray | None = None,
               y_test: np.ndarray | None = None, alpha: float = 0.01, min_ks: float = 0.1,
               max_rows: int = 5000, seed: int = 0) -> dict[str, float | list]:
    """Per walk-forward fold: drift of the test window vs the training window (+ ECE if p/y given).
    Rows are subsampled to `max_rows` per side (KS cost and p-values stay comparable across folds)."""
    rng = np.random.default_rng(seed)
    sub = lambda X: X[np.sort(rng.choice(len(X), max_rows, replace=False))] if len(X) > max_rows else X  # noqa: E731
    rep = ks_drift(sub(np.asarray(X_train)), sub(np.asarray(X_test)), feature_names, alpha, min_ks)
    out: dict[str, float | list] = {
        DRIFT_KS_MAX: rep.ks_max, DRIFT_FEATURES_SHIFTED: float(rep.n_shifted),
        DRIFT_FEATURES_SHARE: rep.n_shifted / max(1, len(feature_names)),
        "drift_worst": [[n, round(v, 4)] for n, v in rep.worst(3)]}
    if p_test is not None and y_test is not None:
        out[CALIBRATION_ECE] = expected_calibration_error(p_test, y_test)
    return out


class DriftMonitor:
    """Live/backtest monitor: a frozen sample of the training features, rolling recent feature rows and
    rolling (p, outcome) pairs; `publish(metrics)` writes the metric names in the module docstring."""

    def __init__(self, X_train: np.ndarray, feature_names: list[str], recent_rows: int = 1000,
                 recent_outcomes: int = 500, alpha: float = 0.01, min_ks: float = 0.1,
                 max_ref_rows: int = 5000, min_outcomes: int = 50, seed: int = 0,
                 null_quantile: float | None = 0.99, ks_limits: np.ndarray | None = None,
                 ref_stride: int = 1) -> None:
        full = np.asarray(X_train, np.float64)
        X = full
        if len(X) > max_ref_rows:
            X = X[np.sort(np.random.default_rng(seed).choice(len(X), max_ref_rows, replace=False))]
        self.ref, self.names = X, list(feature_names)
        self.ref_sorted = sorted_columns(X)       # the reference never changes: sort it once, not per publish
        self.alpha, self.min_ks, self.min_outcomes = alpha, min_ks, min_outcomes
        if ks_limits is None and null_quantile is not None:
            # training rows are one every `ref_stride` bars: a window of the same time span as the live one
            ks_limits = null_ks_limits(full, max(1, recent_rows // max(1, ref_stride)), null_quantile)
        # per-feature "shifted" bar: the in-sample window KS quantile, never below min_ks
        self.ks_limits = None if ks_limits is None else np.fmax(np.asarray(ks_limits, np.float64), min_ks)
        self.rows: deque = deque(maxlen=recent_rows)
        self.outcomes: deque = deque(maxlen=recent_outcomes)
        self.last_report: DriftReport | None = None

    @classmethod
    def from_reference(cls, path, feature_names: list[str] | None = None, **kw) -> "DriftMonitor":
        """Monitor over a reference written by `save_reference` (`scalp train` writes
        <run>/model/drift_reference.npz); `feature_names` given = the engine's FeatureSet names, which
        must equal the reference's (same order), otherwise ValueError names both."""
        X, names = load_reference(path)
        if feature_names is not None and list(feature_names) != names:
            raise ValueError(f"drift reference {path}: feature names {names} differ from the engine's {list(feature_names)}")
        limits, window = load_limits(path)
        if limits is not None and kw.get("recent_rows", window) == window:
            kw.setdefault("ks_limits", limits)      # calibrated on the full training rows when it was saved
        return cls(X, names, **kw)

    def add_row(self, x: np.ndarray) -> None:
        self.rows.append(np.asarray(x, np.float64).reshape(-1))

    def add_outcome(self, p: float, y: float) -> None:
        self.outcomes.append((float(p), float(y)))

    def publish(self, metrics: Metrics) -> dict[str, float]:
        """Compute and set the metrics; a side without enough data publishes NaN (= no signal yet)."""
        nan = float("nan")
        out = {DRIFT_KS_MAX: nan, DRIFT_FEATURES_SHIFTED: nan, DRIFT_FEATURES_SHARE: nan, DRIFT_KS_EXCESS: nan,
               CALIBRATION_ECE: nan, CALIBRATION_SAMPLES: float(len(self.outcomes))}
        # calibrated limits hold for a full window only (a shorter one strays further by chance alone)
        if len(self.rows) >= (30 if self.ks_limits is None else self.rows.maxlen):
            limit = self.min_ks if self.ks_limits is None else self.ks_limits
            rep = ks_drift(self.ref, np.vstack(self.rows), self.names, self.alpha, limit,
                           ref_sorted=self.ref_sorted, all_p_values=False)
            self.last_report = rep
            out.update({DRIFT_KS_MAX: rep.ks_max, DRIFT_FEATURES_SHIFTED: float(rep.n_shifted),
                        DRIFT_FEATURES_SHARE: rep.n_shifted / max(1, len(self.names))})
            if self.ks_limits is not None:
                excess = rep.ks - self.ks_limits
                if np.isfinite(excess).any():
                    out[DRIFT_KS_EXCESS] = float(np.nanmax(excess))
        if len(self.outcomes) >= self.min_outcomes:
            p, y = np.array(self.outcomes).T
            out[CALIBRATION_ECE] = expected_calibration_error(p, y)
        for k, v in out.items():
            metrics.set(k, v)
        return out


def save_reference(path, X_train: np.ndarray, feature_names: list[str], max_rows: int = 5000, seed: int = 0,
                   window_rows: int = 1000, null_quantile: float = 0.99, ref_stride: int = 1):
    """A uniform sample (<= max_rows, time order kept) of the training features + their names, as .npz
    (no pickle): what a later DriftMonitor compares live rows against; with the per-feature KS limits
    calibrated on the full training rows (one every `ref_stride` bars) for a live window of `window_rows`."""
    from pathlib import Path
    full = np.asarray(X_train, np.float64)
    X = full
    if len(X) > max_rows:
        X = X[np.sort(np.random.default_rng(seed).choice(len(X), max_rows, replace=False))]
    limits = null_ks_limits(full, max(1, window_rows // max(1, ref_stride)), null_quantile)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = {} if limits is None else {"ks_limits": limits, "window_rows": np.int64(window_rows)}
    np.savez(path, X=X, names=np.array(list(feature_names), dtype=str), **extra)
    return path


def load_limits(path) -> tuple[np.ndarray | None, int]:
    """(per-feature KS limits, live window rows they were calibrated for); (None, 0) in older references."""
    with np.load(path, allow_pickle=False) as z:
        if "ks_limits" not in z.files:
            return None, 0
        return z["ks_limits"], int(z["window_rows"])


def load_reference(path) -> tuple[np.ndarray, list[str]]:
    with np.load(path, allow_pickle=False) as z:
        return z["X"], [str(n) for n in z["names"]]
