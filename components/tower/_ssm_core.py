"""Selective state-space (Mamba-style) network: torch module (scan in _ssm_scan.py) + a NumPy O(1) recurrent step.

torch is imported lazily (inside `ssm_net_class`) because `registry.load_all()` imports this module.
The recurrent NumPy step is what runs live: same arithmetic as the torch forward, no torch call per
decision (a test proves both agree to 1e-5 on real data).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from components.tower._ssm_scan import LOG_DECAY_FLOOR, scan_functions

RMS_EPS = 1e-5


@functools.cache
def ssm_net_class():
    """Build (once) and return the torch `SsmNet` class; importing torch only here."""
    import torch
    from torch import nn
    from torch.nn import functional as F
    selective_scan, _ = scan_functions()

    class RMSNorm(nn.Module):
        def __init__(self, d: int) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.ones(d))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * self.weight

    class SelectiveBlock(nn.Module):
        """Pre-norm residual block: in_proj -> causal depthwise conv -> SiLU -> selective scan -> SiLU gate."""
        scan = staticmethod(selective_scan)     # tests swap in the log-space reference per instance

        def __init__(self, d_model: int, d_state: int, d_conv: int, expand: int, chunk_steps: int) -> None:
            super().__init__()
            d_inner = expand * d_model
            self.d_inner, self.d_state, self.d_conv = d_inner, d_state, d_conv
            self.dt_rank = max(1, math.ceil(d_model / 16))
            self.chunk_steps = chunk_steps
            self.norm = RMSNorm(d_model)
            self.in_proj = nn.Linear(d_model, 2 * d_inner, bias=False)
            self.conv_w = nn.Parameter(torch.empty(d_inner, d_conv).uniform_(-1 / math.sqrt(d_conv),
                                                                            1 / math.sqrt(d_conv)))
            self.conv_b = nn.Parameter(torch.zeros(d_inner))
            self.x_proj = nn.Linear(d_inner, self.dt_rank + 2 * d_state, bias=False)
            self.dt_proj = nn.Linear(self.dt_rank, d_inner)
            # Initial step sizes log-uniform in [1e-3, 1e-1] (Mamba's init): slow and fast memories.
            dt = torch.exp(torch.rand(d_inner) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
            with torch.no_grad():
                self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))    # inverse softplus
            # A = -exp(A_log) < 0 always: every channel decays, so the recurrence is stable.
            self.A_log = nn.Parameter(torch.log(torch.arange(1, d_state + 1, dtype=torch.float32))
                                      .repeat(d_inner, 1))
            self.D = nn.Parameter(torch.ones(d_inner))
            self.out_proj = nn.Linear(d_inner, d_model, bias=False)

        def zero_state(self, batch: int, device=None):
            return (torch.zeros(batch, self.d_inner, self.d_conv - 1, device=device),
                    torch.zeros(batch, self.d_inner, self.d_state, device=device))

        def forward(self, u, state):
            buf, h = state
            xs, z = self.in_proj(self.norm(u)).chunk(2, dim=-1)                  # (B,L,D) each
            xp = torch.cat([buf, xs.transpose(1, 2)], dim=-1)                   # (B,D,K-1+L)
            new_buf = xp[..., xp.shape[-1] - (self.d_conv - 1):]
            xc = F.silu(F.conv1d(xp, self.conv_w.unsqueeze(1), self.conv_b, groups=self.d_inner)
                        .transpose(1, 2))                                        # (B,L,D)
            dt, Bm, Cm = torch.split(self.x_proj(xc), [self.dt_rank, self.d_state, self.d_state], dim=-1)
            delta = F.softplus(self.dt_proj(dt))
            y, h = self.scan(delta, -torch.exp(self.A_log), xc, Bm, Cm, h, self.chunk_steps)
            y = (y + self.D * xc) * F.silu(z)
            return u + self.out_proj(y), (new_buf, h)

    class SsmNet(nn.Module):
        """Linear embed -> n selective blocks -> RMSNorm -> heads (1 probability logit + 4 context)."""

        def __init__(self, n_in: int, d_model: int, d_state: int, n_layers: int, d_conv: int, expand: int,
                     chunk_steps: int, n_aux: int) -> None:
            super().__init__()
            self.embed = nn.Linear(n_in, d_model)
            self.blocks = nn.ModuleList(SelectiveBlock(d_model, d_state, d_conv, expand, chunk_steps)
                                        for _ in range(n_layers))
            self.norm_f = RMSNorm(d_model)
            self.head = nn.Linear(d_model, 1 + n_aux)

        def zero_state(self, batch: int, device=None):
            return [b.zero_state(batch, device) for b in self.blocks]

        def forward(self, x, state=None):
            """x (B,L,n_in) -> raw head outputs (B,L,1+n_aux), new state (carried between segments)."""
            if state is None:
                state = self.zero_state(x.shape[0], x.device)
            u = self.embed(x)
            new_state = []
            for block, st in zip(self.blocks, state):
                u, st = block(u, st)
                new_state.append(st)
            return self.head(self.norm_f(u)), new_state

    return SsmNet


def export_weights(net) -> dict[str, np.ndarray]:
    """Torch state dict -> float32 NumPy arrays (the live recurrent step and the saved file use these)."""
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in net.state_dict().items()}


def _rms(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x) + np.float32(RMS_EPS)) * w


def _silu(x: np.ndarray) -> np.ndarray:
    return x / (np.float32(1.0) + np.exp(-x))


class SsmRecurrent:
    """O(1)-per-step inference of `SsmNet`; one instance per market holds conv + SSM state.

    `step` runs the numba kernel (components/tower/_ssm_kernels.py); `step_numpy` is its plain NumPy
    reference (same arithmetic, one NumPy call per operation)."""

    def __init__(self, w: dict[str, np.ndarray], n_layers: int, use_kernel: bool = True) -> None:
        self.w = w
        self.n_layers = n_layers
        self.use_kernel = use_kernel
        self.layers = []
        for i in range(n_layers):
            p = f"blocks.{i}."
            d_inner, d_conv = w[p + "conv_w"].shape
            d_state = w[p + "A_log"].shape[1]
            dt_rank = w[p + "dt_proj.weight"].shape[1]
            self.layers.append(dict(
                norm=w[p + "norm.weight"], w_in=w[p + "in_proj.weight"], conv_w=w[p + "conv_w"],
                conv_b=w[p + "conv_b"], w_x=w[p + "x_proj.weight"], w_dt=w[p + "dt_proj.weight"],
                b_dt=w[p + "dt_proj.bias"], A=-np.exp(w[p + "A_log"]), D=w[p + "D"],
                w_out=w[p + "out_proj.weight"], d_inner=d_inner, d_conv=d_conv, d_state=d_state,
                dt_rank=dt_rank))
        stack = lambda key: np.ascontiguousarray(np.stack([L[key] for L in self.layers]), np.float32)  # noqa: E731
        self.k_args = tuple(stack(k) for k in ("norm", "w_in", "conv_w", "conv_b"))
        self.k_args2 = tuple(stack(k) for k in ("w_x", "w_dt", "b_dt", "A", "D", "w_out"))
        self.reset()

    def reset(self) -> None:
        L0 = self.layers[0]
        self.buf = np.zeros((self.n_layers, L0["d_inner"], L0["d_conv"] - 1), np.float32)
        self.h = np.zeros((self.n_layers, L0["d_inner"], L0["d_state"]), np.float32)
        # the NumPy reference path works on per-layer views of the same state
        self.bufs = [self.buf[i] for i in range(self.n_layers)]
        self.hs = [self.h[i] for i in range(self.n_layers)]

    def step(self, x: np.ndarray) -> np.ndarray:
        """One standardised input row (n_in,) -> raw head outputs (1+n_aux,)."""
        if not self.use_kernel:
            return self.step_numpy(x)
        from components.tower._ssm_kernels import ssm_model_step
        w = self.w
        return ssm_model_step(np.ascontiguousarray(x, np.float32), w["embed.weight"], w["embed.bias"],
                              *self.k_args, self.buf, *self.k_args2, self.h, w["norm_f.weight"],
                              w["head.weight"], w["head.bias"], self.layers[0]["dt_rank"],
                              np.float32(LOG_DECAY_FLOOR), np.float32(RMS_EPS))

    def step_numpy(self, x: np.ndarray) -> np.ndarray:
        """NumPy reference of `step` (and of the numba kernel)."""
        w = self.w
        u = w["embed.weight"] @ x + w["embed.bias"]
        for i, L in enumerate(self.layers):
            xz = L["w_in"] @ _rms(u, L["norm"])
            xs, z = xz[:L["d_inner"]], xz[L["d_inner"]:]
            window = np.concatenate([self.bufs[i], xs[:, None]], axis=1)       # (D, K)
            self.bufs[i][...] = window[:, 1:]
            xc = _silu(np.sum(window * L["conv_w"], axis=1) + L["conv_b"])
            dbc = L["w_x"] @ xc
            r, n = L["dt_rank"], L["d_state"]
            delta = np.logaddexp(np.float32(0), L["w_dt"] @ dbc[:r] + L["b_dt"]).astype(np.float32)
            log_da = np.maximum(delta[:, None] * L["A"], np.float32(LOG_DECAY_FLOOR))
            self.hs[i][...] = np.exp(log_da) * self.hs[i] + (delta * xc)[:, None] * dbc[r:r + n][None, :]
            y = (self.hs[i] @ dbc[r + n:r + 2 * n] + L["D"] * xc) * _silu(z)
            u = u + L["w_out"] @ y
        return w["head.weight"] @ _rms(u, w["norm_f.weight"]) + w["head.bias"]
