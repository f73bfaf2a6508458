"""Session one-hot from the event time: KST daytime, US cash session, night (3 columns, 0/1)."""
from __future__ import annotations

import math

from numba import njit
from pydantic import Field

from components.feature._base import ALL_KINDS, FeatureParams, KernelFeature, new_state
from registry import register

# s: [kst_day, us_session, night, day_start_h, day_end_h, us_start_utc_h, us_end_utc_h]


@njit(cache=True)
def _in(h, a, b):
    return (a <= h < b) if a <= b else (h >= a or h < b)     # windows may wrap midnight


@njit(cache=True)
def _step(s, ev):
    if ev[0] < 0.0:
        return 0
    if not math.isfinite(ev[1]):
        return 1
    sec = ev[1] / 1000.0
    h_utc = (sec % 86400.0) / 3600.0
    h_kst = ((sec + 9 * 3600.0) % 86400.0) / 3600.0
    day = 1.0 if _in(h_kst, s[3], s[4]) else 0.0
    us = 1.0 if (day == 0.0 and _in(h_utc, s[5], s[6])) else 0.0
    s[0], s[1], s[2] = day, us, 1.0 - day - us
    return 0


@njit(cache=True)
def _batch(s, E, out, ok):
    nb, fb = 0, -1
    for i in range(E.shape[0]):
        bad = _step(s, E[i])
        ok[i] = not bad
        if bad:
            nb += 1
            fb = i if fb < 0 else fb
        for j in range(out.shape[1]):
            out[i, j] = s[j]
    return nb, fb


@register("feature", "time_regime")
class TimeRegime(KernelFeature):
    """One-hot session at the time an event becomes known (candles: their close); US hours ignore DST."""
    needs = frozenset()          # works from any event's timestamp
    listens = ALL_KINDS
    OUTPUTS = ("kst_day", "us_session", "night")
    step, batch_kernel = staticmethod(_step), staticmethod(_batch)

    class Params(FeatureParams):
        day_start_kst_h: float = Field(9.0, ge=0, lt=24, description="KST daytime start (hour)")
        day_end_kst_h: float = Field(18.0, ge=0, le=24, description="KST daytime end (hour)")
        us_start_utc_h: float = Field(13.5, ge=0, lt=24, description="US cash session start, UTC hour (09:30 EDT)")
        us_end_utc_h: float = Field(20.0, ge=0, le=24, description="US cash session end, UTC hour (16:00 EDT)")

    @property
    def warmup(self) -> int:
        return 1

    def init_state(self):
        s = new_state(3, 4)
        s[3:7] = (self.p.day_start_kst_h, self.p.day_end_kst_h, self.p.us_start_utc_h, self.p.us_end_utc_h)
        return s
