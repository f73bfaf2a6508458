"""Feature drift: too many features of the live window differ from the model's training window -> block entries."""
from __future__ import annotations

from pydantic import Field

from components.killswitch.base import KillSwitch, SwitchParams, finite
from components.types.kinds import Trip
from components.types.metric_names import DRIFT_FEATURES_SHARE, DRIFT_KS_EXCESS, DRIFT_KS_MAX
from components.types.metrics import Metrics
from components.types.risk import RiskSnapshot
from registry import register


@register("killswitch", "feature_drift")
class FeatureDrift(KillSwitch):
    """Trip when drift_features_share > max_share (or drift_ks_max > max_ks, or drift_ks_excess > max_excess, if
    set); the reason asks to retrain.

    The metrics come from engine.drift.DriftMonitor (two-sample KS per feature, recent rows vs the
    training sample); NaN = not enough recent rows yet, and the switch stays quiet. The share, not one
    feature's KS, is the default trigger: a single regime feature moving is normal market life, most of
    the inputs moving at once means the model is reading data unlike anything it was fitted on. Many features
    are scale-free (RSI, ADX, clock, relative volume), so a feed whose prices swing five times as wide moves
    under half of them: `max_excess` catches one feature far beyond what its own held-out training windows
    ever showed (the limits calibrated by engine/drift.null_ks_limits).
    """

    reads = (DRIFT_FEATURES_SHARE, DRIFT_KS_MAX, DRIFT_KS_EXCESS)   # stateless: re-run when a drift pass publishes

    class Params(SwitchParams):
        max_share: float = Field(0.5, ge=0, lt=1, description="share of shifted features that trips (0..1)")
        max_ks: float | None = Field(None, gt=0, le=1, description="also trip when the largest KS exceeds this "
                                                                    "(None = share only)")
        max_excess: float | None = Field(None, gt=0, le=1, description="also trip when a feature's KS exceeds its "
                                         "calibrated limit by more than this (None = off)")

    def check(self, metrics: Metrics, snapshot: RiskSnapshot, ts_ms: int) -> Trip | None:
        share, ks = metrics.get(DRIFT_FEATURES_SHARE), metrics.get(DRIFT_KS_MAX)
        excess = metrics.get(DRIFT_KS_EXCESS)
        over_share = finite(share) and share > self.p.max_share
        over_ks = self.p.max_ks is not None and finite(ks) and ks > self.p.max_ks
        over_excess = self.p.max_excess is not None and finite(excess) and excess > self.p.max_excess
        if not (over_share or over_ks or over_excess):
            return None
        return self._trip(share_pct=100.0 * share if finite(share) else 0.0, limit_pct=100.0 * self.p.max_share,
                          ks_max=ks if finite(ks) else 0.0)
