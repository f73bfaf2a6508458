"""Selective state-space (Mamba-style) sequence tower: P(up) + 4-D market context, recurrent O(1) live step."""
from __future__ import annotations

from pydantic import Field

from components.tower._seq_tower import SeqParams, SequenceTower
from registry import register


@register("tower", "ssm")
class SsmTower(SequenceTower):
    """Mamba-style selective state-space encoder (pure PyTorch train, O(1) recurrent step live).

    Blocked torch scan with a hand-written backward to train (_ssm_scan.py), numba recurrent step to run; outputs p_up, bull_bear, vol_regime,
    liq_state, mom_persist (see components/tower/_seq_tower.py for the context targets)."""

    class Params(SeqParams):
        d_model: int = Field(64, ge=4)
        d_state: int = Field(16, ge=1)
        n_layers: int = Field(2, ge=1)
        d_conv: int = Field(4, ge=2, description="causal depthwise conv kernel, rows")
        expand: int = Field(2, ge=1, description="inner width = expand * d_model")
        chunk_steps: int = Field(8, ge=1, le=8, description="scan block length, rows (the log-space reference "
                                 "scan needs <= 8 to keep exp() finite)")

    bulk_path = "recurrent"     # the live numba step (~30 us/row): bulk outputs are exactly what live computes

    def __init__(self, p: "SsmTower.Params") -> None:
        super().__init__(p)

    def _make_net(self, n_in: int):
        from components.tower._ssm_core import ssm_net_class
        p = self.p
        return ssm_net_class()(n_in, p.d_model, p.d_state, p.n_layers, p.d_conv, p.expand, p.chunk_steps, 4)

    def _recurrent(self):
        from components.tower._ssm_core import SsmRecurrent
        return SsmRecurrent(self.weights, self.p.n_layers)
