"""Context targets and the masked training loss of the sequence towers (ssm, lstm), and per-group row order."""
from __future__ import annotations

import numpy as np

CONTEXT_NAMES = ("bull_bear", "vol_regime", "liq_state", "mom_persist")
# Which auxiliary heads are binary (trained with BCE, reported as 2p-1 in [-1, 1]) vs regression.
AUX_BINARY = np.array([True, False, False, True])


def aux_targets(close: np.ndarray, volume: np.ndarray | None, horizon: int) -> np.ndarray:
    """Context targets per row (NaN where undefined), all looking `horizon` rows ahead:

    bull_bear   1 if close[t+h] > close[t], 0 if lower (NaN if unchanged)
    vol_regime  log(realised vol of the next h 1-step log returns / that of the last h)
    liq_state   log(mean volume of the next h rows / mean volume of the last 60 rows)
    mom_persist 1 if sign(return over next h) == sign(return over last h), else 0 (NaN if either is 0)
    They are labels: walk-forward embargo must cover `horizon` rows, as for any label.
    """
    close = np.asarray(close, np.float64)
    n = close.shape[0]
    out = np.full((n, 4), np.nan)
    lr = np.zeros(n)
    lr[1:] = np.log(close[1:] / close[:-1])
    h = horizon
    if n <= 2 * h:
        return out
    fut = np.full(n, np.nan)
    fut[:n - h] = np.log(close[h:] / close[:n - h])
    past = np.full(n, np.nan)
    past[h:] = np.log(close[h:] / close[:n - h])
    out[:, 0] = np.where(fut > 0, 1.0, np.where(fut < 0, 0.0, np.nan))
    csum, csum2 = np.concatenate([[0.0], np.cumsum(lr)]), np.concatenate([[0.0], np.cumsum(lr * lr)])

    def rolling_std(a: int, b: np.ndarray) -> np.ndarray:  # std of lr[a_i+1 .. b_i] with window h
        s, s2 = csum[b + 1] - csum[b + 1 - a], csum2[b + 1] - csum2[b + 1 - a]
        return np.sqrt(np.maximum(s2 / a - (s / a) ** 2, 0.0))

    t = np.arange(h, n - h)
    v_past, v_fut = rolling_std(h, t), rolling_std(h, t + h)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[t, 1] = np.where((v_past > 0) & (v_fut > 0), np.log(v_fut / v_past), np.nan)
        out[:, 3] = np.where((fut != 0) & (past != 0) & np.isfinite(fut) & np.isfinite(past),
                             (np.sign(fut) == np.sign(past)).astype(float), np.nan)
        if volume is not None:
            vol = np.nan_to_num(np.asarray(volume, np.float64), nan=0.0)
            cv = np.concatenate([[0.0], np.cumsum(vol)])
            t2 = np.arange(59, n - h)
            trail, ahead = (cv[t2 + 1] - cv[t2 - 59]) / 60, (cv[t2 + 1 + h] - cv[t2 + 1]) / h
            out[t2, 2] = np.where((trail > 0) & (ahead > 0), np.log(ahead / trail), np.nan)
    return out


def group_rows(groups: np.ndarray | None, n: int) -> list[np.ndarray]:
    """Row indices per group, each in the given (time) order; one group of all rows when None."""
    if groups is None:
        return [np.arange(n)] if n else []
    g = np.asarray(groups).reshape(-1)
    if g.shape[0] != n:
        raise ValueError(f"groups has {g.shape[0]} entries for {n} rows")
    _, first = np.unique(g, return_index=True)
    return [np.flatnonzero(g == g[i]) for i in np.sort(first)]


def masked_loss(out, yb, ab, binary, aux_weight: float):
    """BCE on the label + aux_weight * (BCE on binary context targets, Huber on the others); NaN masked."""
    import torch
    from torch.nn import functional as F
    m = torch.isfinite(yb)
    loss = F.binary_cross_entropy_with_logits(out[..., 0][m], yb[m]) if m.any() else out.sum() * 0
    if aux_weight > 0:
        for j in range(4):
            mj = torch.isfinite(ab[..., j])
            if not mj.any():
                continue
            pred, tgt = out[..., 1 + j][mj], ab[..., j][mj]
            lj = F.binary_cross_entropy_with_logits(pred, tgt) if binary[j] else F.huber_loss(pred, tgt)
            loss = loss + aux_weight / 4 * lj
    return loss
