"""Training rows for the HFP tower from tick feeds: the configured features sampled once a second, as the live loop
sees them (decision_interval_ms=1000), labelled by the mid's direction `horizon_s` seconds later."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.tower._hfp_states import direction_target


@dataclass
class TickRows:
    """One-second rows of every market, market blocks back to back (each block in time order)."""
    T_ms: np.ndarray
    X: np.ndarray
    y: np.ndarray
    market: np.ndarray
    names: list[str]
    markets: list[str]


def second_rows(stream, feature_nodes: dict, horizon_s: int, threshold_pct: float, lookback_s: int):
    """(T_ms, X, y) of one market: row k = the feature vector after the last event stamped before T_k (what a
    decision at T_k reads), y = direction of the book mid from T_k to T_k + horizon_s. The first
    `lookback_s - 1` labels are left out: their lag stack would reach into the previous market's block."""
    from engine.features import FeatureSet
    books = stream.books
    if books is None or len(books) == 0:
        raise ValueError(f"hfp: no order-book snapshots for {stream.market}: the HFP tower needs book data")
    fs = FeatureSet.from_config(feature_nodes)
    X, names = fs.batch(stream)
    ts = np.asarray(stream.ts_ms, np.int64)
    t0 = (int(ts[0]) // 1000) * 1000
    T = t0 + 1000 * np.arange(1, (int(ts[-1]) - t0) // 1000 + 2, dtype=np.int64)
    ev = np.searchsorted(ts, T, side="left") - 1                 # last event strictly before T_k
    rows = np.full((len(T), X.shape[1]), np.nan)
    rows[ev >= 0] = X[ev[ev >= 0]]
    bi = np.searchsorted(books.ts_ms, T, side="left") - 1
    mid = np.full(len(T), np.nan)
    mid[bi >= 0] = 0.5 * (books.bid_px[bi[bi >= 0], 0] + books.ask_px[bi[bi >= 0], 0])
    y = direction_target(mid, horizon_s, threshold_pct)
    y[: max(0, lookback_s - 1)] = np.nan
    return T, rows, y, list(names)


def tick_rows(streams: dict, feature_nodes: dict, horizon_s: int, threshold_pct: float, lookback_s: int) -> TickRows:
    """`second_rows` of every market that has books, blocks in market order."""
    parts, names, markets = [], [], []
    for market in sorted(streams):
        s = streams[market]
        if s.books is None or len(s.books) == 0:
            continue
        T, X, y, names = second_rows(s, feature_nodes, horizon_s, threshold_pct, lookback_s)
        parts.append((T, X, y, np.full(len(T), len(markets))))
        markets.append(market)
    if not parts:
        raise ValueError("hfp: no market with order-book snapshots in the feed: the HFP tower needs book data")
    T, X, y, mk = (np.concatenate([p[j] for p in parts]) for j in range(4))
    return TickRows(T, X, y, mk, names, markets)


def split_rows(rows: TickRows, cal_share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """(train mask, calibration mask): the last `cal_share` of each market's seconds is held out (its labels
    and the `horizon` seconds before it are not trained on)."""
    train = np.zeros(len(rows.T_ms), bool)
    cal = np.zeros(len(rows.T_ms), bool)
    for mi in range(len(rows.markets)):
        idx = np.flatnonzero(rows.market == mi)
        cut = idx[0] + int(len(idx) * (1.0 - cal_share))
        train[idx[0]:cut] = True
        cal[cut:idx[-1] + 1] = True
    return train, cal


def fit_on_ticks(tower, streams: dict, feature_nodes: dict, cal_share: float = 0.2) -> dict:
    """Fit `tower` (an HfpTower) on the one-second rows of `streams`; returns what `scalp train` reports
    (rows, seconds, calibration AUC) and the training rows (the drift reference of the models)."""
    import time
    from engine import evaluation as ev
    p = tower.p
    rows = tick_rows(streams, feature_nodes, p.horizon_s, p.threshold_pct, p.lookback_s)
    train, cal = split_rows(rows, cal_share)
    horizon_ms = p.horizon_s * 1000
    y_fit = np.where(train, rows.y, np.nan)
    for mi in range(len(rows.markets)):           # purge: a training label must end before the held-out part
        idx = np.flatnonzero((rows.market == mi) & cal)
        if len(idx):
            near = (rows.market == mi) & train & (rows.T_ms + horizon_ms >= rows.T_ms[idx[0]])
            y_fit[near] = np.nan
    t0 = time.perf_counter()
    span = (int(rows.T_ms[train].min()), int(rows.T_ms[train].max()))
    tower.fit(rows.X, y_fit, rows.names, span_ms=span, label=f"hfp_direction:{p.horizon_s}s:{p.threshold_pct:g}%")
    seconds = time.perf_counter() - t0
    auc = float("nan")
    if cal.any():
        p_all = tower.predict(rows.X)[:, 0]
        keep = cal & np.isfinite(rows.y)
        auc = ev.auc(rows.y[keep], p_all[keep]) if keep.any() else float("nan")
    return {"train_rows": int(np.isfinite(y_fit).sum()), "cal_rows": int((cal & np.isfinite(rows.y)).sum()),
            "seconds": round(seconds, 2), "cal_auc": auc, "markets": rows.markets,
            "data_span_ms": [int(rows.T_ms.min()), int(rows.T_ms.max())], "X_train": rows.X[train],
            "names": rows.names}


def walk_forward(make_tower, streams: dict, feature_nodes: dict, folds: int) -> list[dict]:
    """Purged expanding-window walk-forward on the one-second rows: `folds` test windows back to back at the end
    of the data (each 1/(folds+2) of the labelled seconds); a fresh tower per fold is fitted on every row whose label ends
    before its test window, then scored on the window (AUC, hit rate at 0.5, rows). A fold whose training rows
    hold a single class is reported with its reason instead of a score."""
    from engine import evaluation as ev
    tower = make_tower()
    p = tower.p
    rows = tick_rows(streams, feature_nodes, p.horizon_s, p.threshold_pct, p.lookback_s)
    t0, t1 = int(rows.T_ms.min()), int(rows.T_ms.max()) + 1
    # windows by labelled rows, not clock span: captures of different days leave long empty stretches
    ts = np.sort(rows.T_ms[np.isfinite(rows.y)])
    per = len(ts) // (folds + 2)
    if per < 1:
        raise ValueError(f"hfp walk-forward: {len(ts)} labelled seconds are too few for {folds} folds")
    out = []
    for k in range(folds):
        te0 = int(ts[len(ts) - (folds - k) * per])
        te1 = int(ts[len(ts) - (folds - k - 1) * per]) if k < folds - 1 else t1
        train = rows.T_ms + p.horizon_s * 1000 < te0            # purged: the label ends before the test window
        test = (rows.T_ms >= te0) & (rows.T_ms < te1) & np.isfinite(rows.y)
        row = {"fold": k + 1, "test_start_ms": te0, "test_end_ms": te1,
               "train_rows": int((train & np.isfinite(rows.y)).sum()), "test_rows": int(test.sum())}
        fresh = tower if k == 0 else make_tower()
        try:
            fresh.fit(rows.X, np.where(train, rows.y, np.nan), rows.names, span_ms=(t0, te0))
        except ValueError as e:
            out.append({**row, "auc": float("nan"), "hit_rate": float("nan"), "skipped": str(e)})
            continue
        prob = fresh.predict(rows.X)[:, 0][test]
        y = rows.y[test]
        out.append({**row, "auc": ev.auc(y, prob) if len(y) else float("nan"),
                    "hit_rate": float(((prob > 0.5) == (y > 0.5)).mean()) if len(y) else float("nan")})
    return out
