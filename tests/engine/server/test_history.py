"""Server REST history like Upbit's: candles newest first, paged by `to`/`count` (max 200), the fields of
UPBIT_API.md §2.2 per unit; /v1/trades/ticks by `days_ago`, `to` and `cursor` (§2.3)."""
from calendar import timegm
from time import strptime

import httpx
import numpy as np
import pytest

from tests.engine.server.history_server import history_server, source_candles


@pytest.fixture(scope="module")
def srv(bundled_data):
    s = history_server(bundled_data, rate_limits={"candle": [1000, 1], "trade": [1000, 1]})   # tests call fast
    yield s
    s.stop()


def _get(srv, path, **params):
    return httpx.get(srv.base_url + path, params=params, timeout=10)


def _open_ms(row) -> int:
    return timegm(strptime(row["candle_date_time_utc"], "%Y-%m-%dT%H:%M:%S")) * 1000


def _walk(srv, path, market="KRW-BTC", count=200):
    """Every candle, paging back with `to` = the oldest open time of the previous page."""
    rows, to, pages = [], None, 0
    while True:
        params = {"market": market, "count": count, **({"to": to} if to else {})}
        page = _get(srv, path, **params).json()
        pages += 1
        rows += page
        if len(page) < count:
            return rows, pages
        to = page[-1]["candle_date_time_utc"] + "Z"


def test_minute_candles_page_back_newest_first_and_equal_the_source(srv, bundled_data):
    rows, pages = _walk(srv, "/v1/candles/minutes/1")
    opens = [_open_ms(r) for r in rows]
    assert opens == sorted(opens, reverse=True) and len(set(opens)) == len(opens)     # newest first, no repeats
    src = source_candles(bundled_data)
    assert pages == len(src) // 200 + 1 and len(rows) == len(src)
    got = np.array([[r["opening_price"], r["high_price"], r["low_price"], r["trade_price"],
                     r["candle_acc_trade_volume"]] for r in reversed(rows)])
    want = np.column_stack([src.open, src.high, src.low, src.close, src.volume])
    assert np.array_equal(np.array(opens[::-1]), src.ts_ms) and np.allclose(got, want, rtol=1e-12)
    r = rows[0]
    assert r["unit"] == 1 and r["market"] == "KRW-BTC" and isinstance(r["timestamp"], int)
    kst = timegm(strptime(r["candle_date_time_kst"], "%Y-%m-%dT%H:%M:%S")) * 1000
    assert kst - _open_ms(r) == 9 * 3600 * 1000
    assert _open_ms(r) <= r["timestamp"] < _open_ms(r) + 60_000          # ms of the candle's last trade


def test_count_is_capped_at_200_and_to_is_exclusive(srv):
    assert len(_get(srv, "/v1/candles/minutes/1", market="KRW-BTC", count=500).json()) == 200
    assert len(_get(srv, "/v1/candles/minutes/1", market="KRW-BTC").json()) == 1          # count defaults to 1
    page = _get(srv, "/v1/candles/minutes/1", market="KRW-BTC", count=3, to="2025-09-26T12:00:00Z").json()
    assert [r["candle_date_time_utc"] for r in page] == ["2025-09-26T11:59:00", "2025-09-26T11:58:00",
                                                         "2025-09-26T11:57:00"]
    # the same instant written in KST and as `yyyy-MM-dd HH:mm:ss` (UTC) gives the same page
    for to in ("2025-09-26T21:00:00+09:00", "2025-09-26 12:00:00"):
        assert _get(srv, "/v1/candles/minutes/1", market="KRW-BTC", count=3, to=to).json() == page


def test_unencoded_plus_and_bad_values_are_refused_like_upbit(srv):
    url = srv.base_url + "/v1/candles/minutes/1?market=KRW-BTC&to=2025-09-26T21:00:00+09:00"   # '+' -> ' '
    r = httpx.get(url, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["name"] == 400
    assert _get(srv, "/v1/candles/minutes/2", market="KRW-BTC").status_code == 400
    nf = _get(srv, "/v1/candles/days", market="KRW-NOPE")
    assert nf.status_code == 404 and nf.json()["error"] == {"name": 404, "message": "Code not found"}
    assert _get(srv, "/v1/candles/seconds").status_code == 400                              # market missing


@pytest.mark.parametrize("unit", [3, 5, 10, 15, 30, 60, 240])
def test_longer_minute_units_aggregate_the_minutes(srv, bundled_data, unit):
    rows, _ = _walk(srv, f"/v1/candles/minutes/{unit}")
    src = source_candles(bundled_data)
    step = unit * 60_000
    bucket = src.ts_ms // step * step
    starts = np.unique(bucket)
    assert [_open_ms(r) for r in rows] == sorted(starts.tolist(), reverse=True)
    for r in rows[:5] + rows[-2:]:
        sel = bucket == _open_ms(r)
        assert r["unit"] == unit
        assert r["opening_price"] == src.open[sel][0] and r["trade_price"] == src.close[sel][-1]
        assert r["high_price"] == src.high[sel].max() and r["low_price"] == src.low[sel].min()
        assert r["candle_acc_trade_volume"] == pytest.approx(src.volume[sel].sum(), rel=1e-9)


def test_days_and_seconds_candles_carry_their_own_fields(srv, bundled_data):
    days = _get(srv, "/v1/candles/days", market="KRW-BTC", count=10).json()
    assert [d["candle_date_time_utc"] for d in days] == ["2025-09-26T00:00:00", "2025-09-25T00:00:00"]
    assert days[0]["candle_date_time_kst"] == "2025-09-26T09:00:00"          # Upbit's day starts 09:00 KST
    assert days[0]["prev_closing_price"] == days[1]["trade_price"]
    assert days[0]["change_price"] == pytest.approx(days[0]["trade_price"] - days[1]["trade_price"])
    assert days[0]["change_rate"] == pytest.approx(days[0]["change_price"] / days[1]["trade_price"])
    assert "unit" not in days[0]
    secs = _get(srv, "/v1/candles/seconds", market="KRW-BTC", count=8).json()
    src = source_candles(bundled_data)
    # each minute's four trades sit at :00, :15, :30 and :59: four one-second candles per minute
    assert [r["candle_date_time_utc"][-2:] for r in secs] == ["59", "30", "15", "00"] * 2
    assert secs[0]["trade_price"] == src.close[-1] and "unit" not in secs[0]


def test_trades_ticks_by_day_time_and_cursor(srv):
    newest = _get(srv, "/v1/trades/ticks", market="KRW-BTC", count=500).json()
    assert len(newest) == 500 and newest[0]["trade_date_utc"] == "2025-09-26"
    ids = [t["sequential_id"] for t in newest]
    assert ids == sorted(ids, reverse=True)
    assert set(newest[0]) >= {"market", "trade_date_utc", "trade_time_utc", "timestamp", "trade_price",
                              "trade_volume", "prev_closing_price", "change_price", "ask_bid", "sequential_id"}
    nxt = _get(srv, "/v1/trades/ticks", market="KRW-BTC", count=500, cursor=ids[-1]).json()
    assert nxt[0]["sequential_id"] < ids[-1] and len(nxt) == 500
    # days_ago=1 is 2025-09-25: only its last hour (23:00-23:59) is in the data
    y = _get(srv, "/v1/trades/ticks", market="KRW-BTC", count=500, days_ago=1).json()
    assert len(y) == 240 and {t["trade_date_utc"] for t in y} == {"2025-09-25"}
    assert y[0]["trade_time_utc"] == "23:59:59" and y[-1]["trade_time_utc"] == "23:00:00"
    early = _get(srv, "/v1/trades/ticks", market="KRW-BTC", count=5, days_ago=1, to="233000").json()
    assert early[0]["trade_time_utc"] == "23:29:59"                                   # `to` is exclusive
    assert _get(srv, "/v1/trades/ticks", market="KRW-BTC", count=5, days_ago=1, to="23:30:00").json() == early
    assert _get(srv, "/v1/trades/ticks", market="KRW-BTC", days_ago=2).json() == []
    for bad in ({"days_ago": 8}, {"to": "25:00:00"}, {"cursor": "x"}):
        assert _get(srv, "/v1/trades/ticks", market="KRW-BTC", **bad).status_code == 400, bad


def test_weeks_start_on_monday_and_carry_first_day_of_period(srv):
    from engine.server.history import bucket_start
    friday = timegm(strptime("2025-09-26T13:00:00", "%Y-%m-%dT%H:%M:%S")) * 1000
    assert bucket_start(friday, "weeks", 7 * 86400) == timegm(strptime("2025-09-22", "%Y-%m-%d")) * 1000
    (week,) = _get(srv, "/v1/candles/weeks", market="KRW-BTC", count=5).json()
    assert week["candle_date_time_utc"] == "2025-09-22T00:00:00" and week["first_day_of_period"] == "2025-09-22"
