"""SessionFlags merges the exchange's market/all flags with the feed's ticker states: the ticker's word wins, a lifted
ticker flag lets the REST one show again, and the merged map is rebuilt only when a source is replaced."""
from components.types.upbit.market_state import status_of
from engine.live.market_flags import SessionFlags, flags_from

TICKER = {"ty": "ticker", "cd": "KRW-BTC", "tp": 100.0, "ms": "ACTIVE", "its": False, "dd": None, "tms": 1}


def test_rest_flags_of_market_all():
    rows = [{"market": "KRW-BTC", "market_event": {"warning": True}}, {"market": "KRW-ETH", "market_event": {}}]
    assert flags_from(rows, ["KRW-BTC", "KRW-ETH", "KRW-XRP"]) == {"KRW-BTC": "warning", "KRW-XRP": "unlisted"}
    assert flags_from([], ["KRW-BTC"]) == {}                   # no answer is no evidence


def test_ticker_flag_wins_and_lifts_and_the_map_follows_each_source():
    rest = {"KRW-BTC": "warning", "KRW-ETH": "warning"}
    flags = SessionFlags(lambda: rest)
    first = flags.current()
    assert first == rest and flags.current() is first          # nothing replaced: the same map, no copy
    flags.on_status(status_of({**TICKER, "its": True}))
    assert flags.current() == {"KRW-BTC": "suspended", "KRW-ETH": "warning"}
    flags.on_status(status_of(TICKER))                         # the ticker lifts its flag: REST's shows again
    assert flags.current() == rest
    rest = {}                                                  # market/all answers again, without a warning
    assert flags.current() == {}
    assert SessionFlags().current() == {}                      # no source at all


def test_refused_cautions_flag_a_market_and_the_warning_comes_first():
    caution = {"PRICE_FLUCTUATIONS": False, "TRADING_VOLUME_SOARING": True}
    rows = [{"market": "KRW-BTC", "market_event": {"warning": False, "caution": caution}},
            {"market": "KRW-ETH", "market_event": {"warning": True, "caution": caution}},
            {"market": "KRW-XRP", "market_event": {"warning": False, "caution": "garbled"}}]
    watched = ["KRW-BTC", "KRW-ETH", "KRW-XRP"]
    assert flags_from(rows, watched) == {"KRW-ETH": "warning"}                   # cautions refused by none
    assert flags_from(rows, watched, ("PRICE_FLUCTUATIONS",)) == {"KRW-ETH": "warning"}
    assert flags_from(rows, watched, ("PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING")) == \
        {"KRW-BTC": "caution:TRADING_VOLUME_SOARING", "KRW-ETH": "warning"}
