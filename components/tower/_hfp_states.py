"""One-second book/trade states for the HFP tower (bps, fractions), their lag stack and the 5-s direction target.

State k summarises the second [T_k - 1000, T_k) with T_k = start + (k+1)*1000 ms and is known at T_k:
the book is the last snapshot stamped before T_k, the trades are those stamped inside the second.
Nothing stamped at or after T_k can change state k (a test perturbs the future and checks).
"""
from __future__ import annotations

import numpy as np

from components.types.events import BookBatch, TradeBatch

STATE_NAMES = ("mid_ret_bps", "spread_bps", "imb_l1", "imb_l5", "microprice_dev_bps",
               "log_trades", "signed_vol_frac", "vwap_dev_bps")


def second_states(trades: TradeBatch | None, books: BookBatch, start_ms: int | None = None,
                  end_ms: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """-> (T_ms (n,), states (n, 8) in STATE_NAMES order, mid (n,)); NaN before the first book."""
    if len(books) == 0:
        raise ValueError("hfp: no order-book snapshots: the HFP tower needs book data")
    first = int(books.ts_ms[0]) if start_ms is None else int(start_ms)
    last = int(books.ts_ms[-1]) if end_ms is None else int(end_ms)
    if trades is not None and len(trades) and end_ms is None:
        last = max(last, int(trades.ts_ms[-1]))
    t0 = (first // 1000) * 1000
    T = t0 + 1000 * np.arange(1, (last - t0) // 1000 + 2, dtype=np.int64)
    n = T.shape[0]
    S = np.full((n, len(STATE_NAMES)), np.nan)

    bi = np.searchsorted(books.ts_ms, T, side="left") - 1       # last book strictly before T_k
    ok = bi >= 0
    b = bi[ok]
    bpx, apx = books.bid_px[b, 0], books.ask_px[b, 0]
    bsz, asz = books.bid_sz[b, 0], books.ask_sz[b, 0]
    mid = np.full(n, np.nan)
    mid[ok] = 0.5 * (bpx + apx)
    lv = min(5, books.levels)
    b5, a5 = books.bid_sz[b, :lv].sum(1), books.ask_sz[b, :lv].sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        S[ok, 1] = (apx - bpx) / mid[ok] * 1e4
        S[ok, 2] = (bsz - asz) / (bsz + asz)
        S[ok, 3] = (b5 - a5) / (b5 + a5)
        micro = (bpx * asz + apx * bsz) / (bsz + asz)
        S[ok, 4] = (micro - mid[ok]) / mid[ok] * 1e4
        S[1:, 0] = np.log(mid[1:] / mid[:-1]) * 1e4

    if trades is not None and len(trades):
        hi = np.searchsorted(trades.ts_ms, T, side="left")        # trades stamped < T_k
        lo = np.searchsorted(trades.ts_ms, T - 1000, side="left")
        cz = lambda a: np.concatenate([[0.0], np.cumsum(a)])      # noqa: E731
        c_n, c_v = cz(np.ones(len(trades))), cz(trades.volume)
        c_sv, c_pv = cz(trades.volume * trades.side), cz(trades.volume * trades.price)
        cnt, vol = c_n[hi] - c_n[lo], c_v[hi] - c_v[lo]
        S[:, 5] = np.log1p(cnt)
        with np.errstate(divide="ignore", invalid="ignore"):
            S[:, 6] = np.where(vol > 0, (c_sv[hi] - c_sv[lo]) / vol, 0.0)
            vwap = (c_pv[hi] - c_pv[lo]) / vol
            S[:, 7] = np.where((vol > 0) & np.isfinite(mid), (vwap - mid) / mid * 1e4, 0.0)
    else:
        S[:, 5:] = 0.0
    return T, S, mid


def direction_target(mid: np.ndarray, horizon_s: int, threshold_pct: float) -> np.ndarray:
    """1 if mid rises by more than threshold_pct % over the next horizon_s seconds, 0 if it falls by
    more, NaN otherwise (inside the band, or past the data). threshold_pct=0: the sign of the change."""
    mid = np.asarray(mid, np.float64)
    out = np.full(mid.shape[0], np.nan)
    if mid.shape[0] <= horizon_s:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        ret_pct = (mid[horizon_s:] / mid[:-horizon_s] - 1.0) * 100.0
    up, down = ret_pct > threshold_pct, ret_pct < -threshold_pct
    out[:-horizon_s] = np.where(up, 1.0, np.where(down, 0.0, np.nan))
    return out


def lag_stack(S: np.ndarray, lookback: int) -> np.ndarray:
    """Row k -> [S[k-lookback+1], ..., S[k]] flattened (oldest first); NaN where history is missing."""
    n, f = S.shape
    out = np.full((n, lookback * f), np.nan)
    for j in range(lookback):                    # block j holds lag (lookback-1-j)
        lag = lookback - 1 - j
        if lag >= n:
            continue
        out[lag:, j * f:(j + 1) * f] = S[:n - lag] if lag else S
    return out


def lag_names(names: tuple[str, ...] | list[str], lookback: int) -> list[str]:
    return [f"{nm}@-{lookback - 1 - j}s" for j in range(lookback) for nm in names]
