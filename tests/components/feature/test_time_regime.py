"""time_regime against pandas tz conversion (Asia/Seoul for KST, UTC for the US session) on real candles."""
import numpy as np
import pandas as pd

import registry


def test_matches_pandas_sessions(candles, candle_stream):
    known = pd.to_datetime(candles.ts_ms + 60_000, unit="ms", utc=True)   # a candle is known at its close
    kst = known.tz_convert("Asia/Seoul")
    h_kst = np.asarray(kst.hour + kst.minute / 60)
    h_utc = np.asarray(known.hour + known.minute / 60)
    day = (h_kst >= 9) & (h_kst < 18)
    us = (~day) & (h_utc >= 13.5) & (h_utc < 20)
    f = registry.build("feature", {"component": "time_regime"})
    got = f.batch(candle_stream)
    assert f.outputs == ("kst_day", "us_session", "night")
    np.testing.assert_array_equal(got[:, 0], day.astype(float))
    np.testing.assert_array_equal(got[:, 1], us.astype(float))
    np.testing.assert_array_equal(got.sum(axis=1), 1.0)
    assert got[:, 2].any() and got[:, 1].any() and got[:, 0].any()
