"""LSTM sequence tower (the spec's fallback to the SSM): same inputs, outputs and recurrent live step."""
from __future__ import annotations

import functools

import numpy as np
from pydantic import Field

from components.tower._seq_tower import SeqParams, SequenceTower
from registry import register


@functools.cache
def _lstm_net_class():
    import torch
    from torch import nn

    class LstmNet(nn.Module):
        """Linear embed -> stacked LSTM -> LayerNorm -> heads (1 probability logit + 4 context)."""

        def __init__(self, n_in: int, hidden: int, n_layers: int, n_aux: int) -> None:
            super().__init__()
            self.embed = nn.Linear(n_in, hidden)
            self.lstm = nn.LSTM(hidden, hidden, num_layers=n_layers, batch_first=True)
            self.head = nn.Linear(hidden, 1 + n_aux)

        def forward(self, x, state=None):
            out, state = self.lstm(torch.tanh(self.embed(x)), state)
            return self.head(out), state

    return LstmNet


class LstmRecurrent:
    """NumPy LSTM step (torch gate order i, f, g, o); one instance per market holds (h, c)."""

    def __init__(self, w: dict[str, np.ndarray], n_layers: int) -> None:
        self.w, self.n_layers = w, n_layers
        self.hidden = w["lstm.weight_hh_l0"].shape[1]
        self.reset()

    def reset(self) -> None:
        self.h = [np.zeros(self.hidden, np.float32) for _ in range(self.n_layers)]
        self.c = [np.zeros(self.hidden, np.float32) for _ in range(self.n_layers)]

    def step(self, x: np.ndarray) -> np.ndarray:
        w, H = self.w, self.hidden
        u = np.tanh(w["embed.weight"] @ x + w["embed.bias"])
        for k in range(self.n_layers):
            g = (w[f"lstm.weight_ih_l{k}"] @ u + w[f"lstm.bias_ih_l{k}"]
                 + w[f"lstm.weight_hh_l{k}"] @ self.h[k] + w[f"lstm.bias_hh_l{k}"])
            i, f = 1 / (1 + np.exp(-g[:H])), 1 / (1 + np.exp(-g[H:2 * H]))
            o = 1 / (1 + np.exp(-g[3 * H:]))
            self.c[k] = f * self.c[k] + i * np.tanh(g[2 * H:3 * H])
            self.h[k] = (o * np.tanh(self.c[k])).astype(np.float32)
            u = self.h[k]
        return w["head.weight"] @ u + w["head.bias"]


@register("tower", "lstm")
class LstmTower(SequenceTower):
    """Stacked LSTM sequence tower (fallback to ssm): p_up + the same 4-D context, recurrent live step."""

    class Params(SeqParams):
        hidden: int = Field(64, ge=4)
        n_layers: int = Field(2, ge=1)

    def __init__(self, p: "LstmTower.Params") -> None:
        super().__init__(p)

    def _make_net(self, n_in: int):
        return _lstm_net_class()(n_in, self.p.hidden, self.p.n_layers, 4)

    def _recurrent(self):
        return LstmRecurrent(self.weights, self.p.n_layers)
