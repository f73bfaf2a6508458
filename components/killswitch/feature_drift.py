"""Feature drift: too many features of the live window differ from the model's training window -> block entries."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import DRIFT_FEATURES_SHARE, DRIFT_KS_MAX
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "feature_drift")
class FeatureDrift(KillSwitch):
    """Trip when drift_features_share > max_share (or drift_ks_max > max_ks, if set); the reason asks to retrain.

    The metrics come from engine.drift.DriftMonitor (two-sample KS per feature, recent rows vs the
    training sample); NaN = not enough recent rows yet, and the switch stays quiet. The share, not one
    feature's KS, is the default trigger: a single regime feature moving is normal market life, most of
    the inputs moving at once means the model is reading data unlike anything it was fitted on.
    """

    class Params(SwitchParams):
        max_share: float = Field(0.5, ge=0, lt=1, description="share of shifted features that trips (0..1)")
        max_ks: float | None = Field(None, gt=0, le=1, description="also trip when the largest KS exceeds this "
                                                                    "(None = share only)")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        share, ks = metrics.get(DRIFT_FEATURES_SHARE), metrics.get(DRIFT_KS_MAX)
        over_share = finite(share) and share > self.p.max_share
        over_ks = self.p.max_ks is not None and finite(ks) and ks > self.p.max_ks
        if not (over_share or over_ks):
            return None
        return self._trip(share_pct=100.0 * share if finite(share) else 0.0, limit_pct=100.0 * self.p.max_share,
                          ks_max=ks if finite(ks) else 0.0)
