"""Selective scan of the ssm tower in torch: a blocked recurrence with a hand-written backward (training and bulk
inference) and the closed-form log-space chunk scan it replaced (kept as the reference the tests compare to).

Both compute, per batch row b, channel d and state n (A < 0, every channel decays):
    h_t = exp(max(delta_t*A, LOG_DECAY_FLOOR)) * h_{t-1} + delta_t * x_t * B_t ;   y_t = sum_n C_t[n] h_t[:, n]
torch is imported lazily (inside the builders) because `registry.load_all()` imports every component module.
"""
from __future__ import annotations

import functools

# Per-step log-decay floor: exp(-6) = 0.25 % retention per step is "forget now" for any channel. In the
# log-space reference it also bounds |cumulative log-decay| inside one chunk (chunk_steps * 6), which keeps
# the chunk-local exp(-S) factors finite in float32 (e^48 at chunk 8, far below the e^88 overflow).
LOG_DECAY_FLOOR = -6.0


@functools.cache
def scan_functions():
    """(selective_scan, logspace_scan): both map (delta, A, xc, Bm, Cm, h, chunk_steps) -> (y, h_last),
    with delta/xc (B,L,D), A (D,N), Bm/Cm (B,L,N), h (B,D,N); y (B,L,D)."""
    import torch

    def floor_free(d, A) -> bool:
        """True when no product d*A of this block can reach the log-decay floor, so clamping at it (and the
        backward's mask of where it binds) changes nothing. The smallest product of two ranges sits at a corner,
        and float rounding is monotone, so the corner's float32 product bounds every element's from below."""
        dmin, dmax = d.aminmax()
        amin, amax = A.aminmax()
        corners = torch.stack([dmin * amin, dmin * amax, dmax * amin, dmax * amax])
        return bool(corners.min() > LOG_DECAY_FLOOR)        # NaN anywhere: False, the full path runs

    def forward_blocks(d, A, x, Bt, Ct, h, block: int, keep_all: bool):
        """Time-major (L,B,...) forward. Per block of `block` steps the decays and inputs are built in one
        vectorised op each (a block stays in cache), then the state advances one fused multiply-add per step.
        keep_all: also return the per-step decays and states the backward needs, and per block whether the
        floor was out of reach."""
        L, nb, D = d.shape
        N = A.shape[1]
        v = d * x
        y = d.new_empty(L, nb, D)
        a_all = hs_all = None
        free = []
        if keep_all:
            a_all, hs_all = d.new_empty(L, nb, D, N), d.new_empty(L, nb, D, N)
        for c0 in range(0, L, block):
            sl = slice(c0, min(L, c0 + block))
            n = sl.stop - c0
            a = a_all[sl] if keep_all else d.new_empty(n, nb, D, N)
            torch.mul(d[sl].unsqueeze(-1), A, out=a)
            free.append(floor_free(d[sl], A))
            if not free[-1]:
                a.clamp_(min=LOG_DECAY_FLOOR)
            a.exp_()
            hs = hs_all[sl] if keep_all else d.new_empty(n, nb, D, N)
            torch.mul(v[sl].unsqueeze(-1), Bt[sl].unsqueeze(2), out=hs)     # u_t, turned into h_t in place
            for t in range(n):
                h = hs[t].addcmul_(a[t], h)
            torch.sum(hs * Ct[sl].unsqueeze(2), -1, out=y[sl])     # (a batched mat-vec is 2x slower here)
        return y, h, v, a_all, hs_all, free

    class BlockedScan(torch.autograd.Function):
        """Autograd of the blocked recurrence without a graph of per-step ops: the backward runs the adjoint
        recurrence g_t = C_t dy_t + a_{t+1} g_{t+1} in reverse, block by block, and contracts the gradients."""

        @staticmethod
        def forward(ctx, delta, A, xc, Bm, Cm, h0, block):
            d, x = delta.transpose(0, 1).contiguous(), xc.transpose(0, 1).contiguous()
            Bt, Ct = Bm.transpose(0, 1).contiguous(), Cm.transpose(0, 1).contiguous()
            y, h, v, a_all, hs_all, free = forward_blocks(d, A, x, Bt, Ct, h0, block, True)
            ctx.block, ctx.free = block, free
            ctx.save_for_backward(d, A, x, Bt, Ct, h0, v, a_all, hs_all)
            return y.transpose(0, 1), h.clone()

        @staticmethod
        def backward(ctx, dy, dh):
            d, A, x, Bt, Ct, h0, v, a_all, hs_all = ctx.saved_tensors
            block, L = ctx.block, d.shape[0]
            dyt = dy.transpose(0, 1).contiguous()
            dd, dx, dB, dC = torch.empty_like(d), torch.empty_like(d), torch.empty_like(Bt), torch.empty_like(Ct)
            dA = torch.zeros_like(A)
            R = dh if dh is not None else torch.zeros_like(h0)        # dLoss/dh of the step after the block
            for c0 in reversed(range(0, L, block)):
                sl = slice(c0, min(L, c0 + block))
                n = sl.stop - c0
                a = a_all[sl]
                G = torch.mul(dyt[sl].unsqueeze(-1), Ct[sl].unsqueeze(2))
                for t in range(n - 1, -1, -1):
                    g = G[t].add_(R)
                    R = a[t] * g
                torch.matmul(dyt[sl].unsqueeze(-2), hs_all[sl], out=dC[sl].unsqueeze(-2))
                dv = (G * Bt[sl].unsqueeze(2)).sum(-1)
                torch.matmul(v[sl].unsqueeze(-2), G, out=dB[sl].unsqueeze(-2))
                hp = hs_all[c0 - 1:sl.stop - 1] if c0 else torch.cat([h0.unsqueeze(0), hs_all[:n - 1]], 0)
                # where the floor does not bind (same product as the forward's, so the same decision),
                # dLoss/d(delta*A) = g a h_{t-1}; a float mask: compare and multiply are ~4x faster than bool.
                # A block the floor cannot reach (forward's check) skips the mask: multiplying by 1 is exact.
                dla = G.mul_(a).mul_(hp)
                if not ctx.free[c0 // block]:
                    dla.mul_(torch.mul(d[sl].unsqueeze(-1), A).gt_(LOG_DECAY_FLOOR))
                torch.add((dla * A).sum(-1), dv * x[sl], out=dd[sl])
                dA += (dla * d[sl].unsqueeze(-1)).sum((0, 1))
                torch.mul(dv, d[sl], out=dx[sl])
            return dd.transpose(0, 1), dA, dx.transpose(0, 1), dB.transpose(0, 1), dC.transpose(0, 1), R, None

    def selective_scan(delta, A, xc, Bm, Cm, h, chunk_steps: int):
        """The training/bulk scan: same recurrence as the O(1) live step, `chunk_steps` rows per block."""
        if torch.is_grad_enabled() and any(t.requires_grad for t in (delta, A, xc, Bm, Cm, h)):
            return BlockedScan.apply(delta, A, xc, Bm, Cm, h, chunk_steps)
        y, h, *_ = forward_blocks(delta.transpose(0, 1).contiguous(), A, xc.transpose(0, 1).contiguous(),
                                  Bm.transpose(0, 1).contiguous(), Cm.transpose(0, 1).contiguous(), h,
                                  chunk_steps, False)
        return y.transpose(0, 1), h

    def logspace_scan(delta, A, xc, Bm, Cm, h, chunk_steps: int):
        """Reference: closed form per chunk. With S_t = sum_{s<=t} log dA_s inside a chunk,
        h_t = exp(S_t) * (h_0 + sum_{s<=t} exp(-S_s) dBx_s): two cumsums per chunk, autograd backward."""
        ys = []
        L = delta.shape[1]
        for c0 in range(0, L, chunk_steps):
            d = delta[:, c0:c0 + chunk_steps]                                   # (B,T,D)
            log_da = torch.clamp(d.unsqueeze(-1) * A, min=LOG_DECAY_FLOOR)    # (B,T,D,N)
            S = torch.cumsum(log_da, dim=1)
            dbx = (d * xc[:, c0:c0 + chunk_steps]).unsqueeze(-1) * Bm[:, c0:c0 + chunk_steps].unsqueeze(2)
            acc = torch.cumsum(torch.exp(-S) * dbx, dim=1)
            hs = torch.exp(S) * (h.unsqueeze(1) + acc)                         # (B,T,D,N)
            ys.append((hs * Cm[:, c0:c0 + chunk_steps].unsqueeze(2)).sum(-1))
            h = hs[:, -1]
        return torch.cat(ys, dim=1), h

    return selective_scan, logspace_scan
