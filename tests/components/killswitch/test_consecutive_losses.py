"""consecutive_losses: 10 -> size x0.5 while the streak lasts; strict 3 -> pause 1 h once per streak length."""
import pytest

import registry


def test_standard_scales_size(build, say, snap, metrics):
    sw = build("consecutive_losses")
    assert sw.check(metrics(), snap(consecutive_losses=9), 0) is None
    trip = sw.check(metrics(), snap(consecutive_losses=10), 0)
    assert trip.action == "scale_size" and trip.factor == 0.5
    assert say(trip) == "10 losing trades in a row (limit 10)"


def test_strict_pauses_once_per_streak(build, snap, metrics):
    sw = build("consecutive_losses", max_losses=3, action="pause", seconds=3600, factor=1.0)
    trip = sw.check(metrics(), snap(consecutive_losses=3), 0)
    assert trip.action == "pause" and trip.seconds == 3600
    assert sw.check(metrics(), snap(consecutive_losses=3), 3_600_000) is None   # same streak: no re-pause
    assert sw.check(metrics(), snap(consecutive_losses=4), 3_700_000) is not None
    assert sw.check(metrics(), snap(consecutive_losses=0), 3_800_000) is None


def test_pause_without_seconds_is_refused(build):
    with pytest.raises(registry.ConfigError,
                       match=r"killswitches\.consecutive_losses  Value error, action 'pause' needs seconds > 0"):
        build("consecutive_losses", action="pause", seconds=0)
