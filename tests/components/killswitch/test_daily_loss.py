"""daily_loss: -8 % from the day's start blocks entries until 00:00 UTC; strict -5 % halts; real BTC path."""
import numpy as np

from components.types.feed.loaders import load_candles
from components.killswitch.daily_loss import DAY_MS


def test_trips_at_limit_until_day_end(build, say, snap, metrics):
    sw = build("daily_loss")
    ts = 3 * DAY_MS + 6 * 3_600_000                      # 06:00 UTC
    assert sw.check(metrics(), snap(equity_krw=920_100, day_start_equity_krw=1e6), ts) is None
    trip = sw.check(metrics(), snap(equity_krw=919_000, day_start_equity_krw=1e6), ts)
    assert trip.action == "block_entries" and trip.seconds == 18 * 3600
    assert "daily loss 8.10% (limit 8.00%)" in say(trip)
    assert sw.check(metrics(), snap(), ts) is None        # no equity yet: no signal, no trip


def test_strict_threshold_and_action(build):
    sw = build("daily_loss", loss_pct=5.0, action="halt")
    trip = sw.check(Metrics_(), snap_(equity_krw=949_000, day_start_equity_krw=1e6), DAY_MS + 1000)
    assert trip.action == "halt" and trip.seconds == (DAY_MS - 1000) / 1000


def test_real_btc_day_matches_independent_loss(build, shared_data):
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC")
    day = c.ts_ms // DAY_MS
    # all-in BTC account: equity follows the close; pick the day with the deepest intraday fall
    worst, worst_day = 0.0, None
    for d in np.unique(day):
        closes = c.close[day == d]
        loss = 1 - closes.min() / closes[0]
        if loss > worst:
            worst, worst_day = loss, d
    limit = worst * 100 * 0.9                             # a limit the worst day crosses
    sw = build("daily_loss", loss_pct=limit)
    closes, stamps = c.close[day == worst_day], c.ts_ms[day == worst_day]
    fired = [i for i, (px, ts) in enumerate(zip(closes, stamps))
             if sw.check(Metrics_(), snap_(equity_krw=px, day_start_equity_krw=closes[0]), int(ts))]
    expect = [i for i, px in enumerate(closes) if (1 - px / closes[0]) * 100 >= limit]
    assert fired == expect and fired


from components.types.metrics import Metrics as Metrics_  # noqa: E402
from components.types.risk import RiskSnapshot as snap_  # noqa: E402
