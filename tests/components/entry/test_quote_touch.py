"""quote_touch: the touch-quoting rule, its markets, and the peers' workload through the real engine path."""
import math

import pytest

import registry
from components.types.quoting import QuoteContext, WorkingQuote

M = "KRW-BTC"


def _entry(**kw):
    registry.load_all()
    return registry.build("entry", {"component": "quote_touch", **kw}, path="entry")


def _ctx(pos=0.0, working=None, bid=100.0, ask=101.0):
    return QuoteContext(M, 0, bid, ask, pos, working)


def test_flat_bids_at_the_bid_long_asks_the_position_at_the_ask():
    e = _entry(volume=0.5)
    a = e.quote(_ctx())
    assert (a.kind, a.side, a.price, a.volume) == ("place", "bid", 100.0, 0.5)
    a = e.quote(_ctx(pos=0.3))
    assert (a.kind, a.side, a.price, a.volume) == ("place", "ask", 101.0, 0.3)


def test_same_side_holds_at_the_same_price_and_replaces_at_a_new_one():
    e = _entry()
    w = WorkingQuote("bid", 100.0, 0.001, "q-1")
    assert e.quote(_ctx(working=w)).kind == "hold"
    a = e.quote(_ctx(working=w, bid=99.0, ask=100.0))
    assert (a.kind, a.side, a.price) == ("replace", "bid", 99.0)
    # a fill flips the side: place on the other side (the order manager cancels the old quote first)
    assert e.quote(_ctx(pos=0.001, working=w)).kind == "place"


@pytest.mark.parametrize("bid,ask", [(math.nan, 101.0), (100.0, math.nan), (0.0, 101.0), (101.0, 101.0)])
def test_no_usable_book_means_hold(bid, ask):
    assert _entry().quote(_ctx(bid=bid, ask=ask)).kind == "hold"


def test_markets_default_to_the_first_of_the_run_and_params_are_strict():
    assert _entry().quoted_markets(["KRW-ETH", "KRW-BTC"]) == ["KRW-ETH"]
    assert _entry(markets=["KRW-BTC", "KRW-XRP"]).quoted_markets(["KRW-ETH", "KRW-BTC"]) == ["KRW-BTC"]
    assert _entry().p.requote_interval_ms == 1000 and _entry().quoting
    with pytest.raises(registry.ConfigError) as err:
        _entry(requote_interval_ms=0)
    assert "entry.requote_interval_ms" in str(err.value)
    assert not _entry().decide(0.99).enter           # the signal path never enters for a quoting entry


def test_peers_workload_through_the_engine_matches_hftbacktest_counts(shared_data):
    """The peers' one-order workload (../shared/bench/peers/README.md) as config through run_backtest, with the
    risk-averse queue fill model: the same order/fill counts as hftbacktest (128 new / 208 replace / 127 fills)."""
    from engine.bench._workloads import peers_quote_config, peers_streams
    from engine.backtest import run_backtest
    registry.load_all()
    res = run_backtest(peers_quote_config(), streams=peers_streams(shared_data), use_store=False,
                       write_report=False)
    loop = res.loop
    assert loop.events == 47_380 and loop.quoter.ticks == 650
    c = loop.om.quote_counts
    assert (c["new"], c["replace"], c["filled"], c["rejected"]) == (128, 208, 127, 0)
    assert loop.positions[M].volume == pytest.approx(0.001)   # 128 bids, 127 filled; the last one still rests
    assert res.summary["trades"] == 63                        # closed round trips: 127 fills // 2
