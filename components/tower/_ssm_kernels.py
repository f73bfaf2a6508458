"""Numba kernel of one recurrent SSM step over all layers (float32; the live path of the ssm tower).

Reference: `SsmRecurrent.step_numpy` in _ssm_core.py (a test proves both agree on real data).
Layer weights are stacked on a leading layer axis so one call does the whole model.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _silu(v):
    return v / (np.float32(1.0) + np.exp(-v))


@njit(cache=True)
def _rms(u, w, eps):
    ss = np.float32(0.0)
    for i in range(u.shape[0]):
        ss += u[i] * u[i]
    return u * (np.float32(1.0) / np.sqrt(ss / np.float32(u.shape[0]) + eps)) * w


@njit(cache=True)
def ssm_model_step(x, embed_w, embed_b, norm_w, w_in, conv_w, conv_b, buf, w_x, w_dt, b_dt, A, D, w_out, h,
                   normf_w, head_w, head_b, dt_rank, floor, eps):
    """x (n_in,) standardised row -> raw head outputs; updates `buf` (L, D, K-1) and `h` (L, D, N) in place."""
    n_layers, d_inner, k_conv = conv_w.shape
    d_state = A.shape[2]
    u = np.dot(embed_w, x) + embed_b
    for li in range(n_layers):
        xz = np.dot(w_in[li], _rms(u, norm_w[li], eps))
        xc = np.empty(d_inner, np.float32)
        for d in range(d_inner):
            acc = conv_b[li, d] + xz[d] * conv_w[li, d, k_conv - 1]
            for k in range(k_conv - 1):
                acc += buf[li, d, k] * conv_w[li, d, k]
            for k in range(k_conv - 2):
                buf[li, d, k] = buf[li, d, k + 1]
            buf[li, d, k_conv - 2] = xz[d]
            xc[d] = _silu(acc)
        dbc = np.dot(w_x[li], xc)
        dt = np.dot(w_dt[li], dbc[:dt_rank].copy()) + b_dt[li]
        y = np.empty(d_inner, np.float32)
        for d in range(d_inner):
            v = dt[d]
            delta = np.float32(max(v, 0.0) + np.log1p(np.exp(-abs(v))))     # softplus
            s = np.float32(0.0)
            for n in range(d_state):
                la = max(delta * A[li, d, n], floor)
                h[li, d, n] = np.exp(la) * h[li, d, n] + delta * xc[d] * dbc[dt_rank + n]
                s += h[li, d, n] * dbc[dt_rank + d_state + n]
            y[d] = (s + D[li, d] * xc[d]) * _silu(xz[d_inner + d])
        u = u + np.dot(w_out[li], y)
    return np.dot(head_w, _rms(u, normf_w, eps)) + head_b
