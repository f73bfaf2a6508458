"""The console summary's kill-switch line splits warm-up trips from trading ones, as the report does."""
import io

from rich.console import Console

from engine.i18n import set_lang
from engine.ledger import RunData
from engine.summary import compute, lines, render

T0 = 1_758_499_200_000


def _data(trading_from_ms):
    equity = [{"ts_ms": T0 + i * 60_000, "equity_krw": 1_000_000.0, "cash_krw": 1_000_000.0, "position_krw": 0.0}
              for i in range(10)]
    trips = [{"ts_ms": T0 + 60_000, "switch": "volume_dryup", "action": "block_entries", "market": "KRW-ETH",
              "reason": "early"},
             {"ts_ms": T0 + 120_000, "switch": "volume_dryup", "action": "block_entries", "market": "KRW-ETH",
              "reason": "early"},
             {"ts_ms": T0 + 480_000, "switch": "stale_data", "action": "block_entries", "market": "KRW-SOL",
              "reason": "late"}]
    return RunData(initial_krw=1_000_000.0, markets=["KRW-ETH", "KRW-SOL"], equity=equity, trips=trips,
                   meta={"trading_from_ms": trading_from_ms})


def _trip_row(s, lang):
    set_lang(lang)
    try:
        return dict(lines(s))["Kill-switch trips" if lang == "en" else "킬 스위치 발동"]
    finally:
        set_lang("en")


def test_warm_up_trips_are_counted_apart():
    s = compute(_data(T0 + 300_000))
    assert s["trips"] == 3 and s["trips_warmup"] == 2
    en = _trip_row(s, "en")
    assert "2 during warm-up" in en and "1 while trading" in en and "volume_dryup=2" in en
    ko = _trip_row(s, "ko")
    assert "준비 구간 2" in ko and "거래 중 1" in ko


def test_without_a_trading_start_every_trip_is_a_trading_trip():
    s = compute(_data(None))
    assert s["trips_warmup"] == 0
    assert _trip_row(s, "en") == "3 (volume_dryup=2, stale_data=1)"


def test_rendered_table_carries_the_split():
    buf = io.StringIO()
    set_lang("en")
    render(compute(_data(T0 + 300_000)), Console(file=buf, width=200))
    assert "2 during warm-up" in buf.getvalue()
