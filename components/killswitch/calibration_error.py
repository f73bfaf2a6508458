"""Calibration error: live ECE of the model's probabilities above max_ece -> block entries (retrain)."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import CALIBRATION_ECE, CALIBRATION_SAMPLES
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "calibration_error")
class CalibrationError(KillSwitch):
    """Trip when calibration_ece > max_ece once calibration_samples >= min_samples (reason asks to retrain)."""

    reads = (CALIBRATION_ECE, CALIBRATION_SAMPLES)

    class Params(SwitchParams):
        max_ece: float = Field(0.15, gt=0, le=1, description="expected calibration error that trips")
        min_samples: int = Field(200, ge=1, description="outcomes before the ECE is trusted")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        ece, n = metrics.get(CALIBRATION_ECE), metrics.get(CALIBRATION_SAMPLES)
        if not finite(ece) or (finite(n) and n < self.p.min_samples):
            return None
        if ece > self.p.max_ece:
            return self._trip(ece=ece, limit=self.p.max_ece)
        return None
