"""Inference latency: model time per decision above max_ms -> degrade (default: size x0.5)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import Action, KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import INFERENCE_LATENCY_MS
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "inference_latency")
class InferenceLatency(KillSwitch):
    """Trip when metric inference_latency_ms > max_ms; the engine may also drop slow towers on this trip."""

    reads = (INFERENCE_LATENCY_MS,)

    class Params(SwitchParams):
        action: Action = "scale_size"
        factor: float = Field(0.5, gt=0, le=1, description="size multiplier when action is scale_size")
        max_ms: float = Field(10.0, gt=0, description="tolerated inference latency, ms")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        ms = metrics.get(INFERENCE_LATENCY_MS)
        if finite(ms) and ms > self.p.max_ms:
            return self._trip(latency_ms=ms, limit_ms=self.p.max_ms)
        return None
