"""balance_watchdog: an all-in KRW-SOL account on real 1-minute bars halts exactly where equity is 3 % under
its 1-hour high (SOL fell 4.4 % within an hour on 2025-09-22)."""
import numpy as np

from components.types.feed.loaders import load_candles


def test_real_crash_halts_where_reference_says(build, say, snap, metrics, shared_data):
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-SOL.csv.gz", "KRW-SOL")
    ts = (c.ts_ms + 60_000).astype(np.int64)
    eq = c.close * (1e6 / c.close[0])
    sw = build("balance_watchdog")
    fired, first = [], None
    for i in range(len(eq)):
        trip = sw.check(metrics(), snap(equity_krw=float(eq[i])), int(ts[i]))
        if trip:
            fired.append(i)
            first = first or trip
    expect = [i for i in range(len(eq))
              if eq[i] <= eq[np.searchsorted(ts, ts[i] - 3_600_000, "left"):i + 1].max() * 0.97]
    assert fired == expect and len(fired) > 0
    assert first.action == "halt" and "from its 60-minute high (limit 3.00%): halted" in say(first)


def test_no_trip_on_a_slow_decline(build, snap, metrics):
    sw = build("balance_watchdog")
    # -2.9 % per hour, sampled every minute: never 3 % within any hour
    for k in range(240):
        assert sw.check(metrics(), snap(equity_krw=1e6 * (1 - 0.029 / 60) ** k), k * 60_000) is None
