"""Market flags in paper as in live (#15 item 5), against the local exchange server: paper reads market/all flags
(warning, unlisted) on the feed's public REST host at start and periodically; in both modes a market whose ticker
says DELISTED / a delisting date / is_trading_suspended gets no order attempt at all."""
import time

import pytest

import registry
from engine.live.settings import LiveSettings

from tests.engine.live.conftest import capture_server, session_on, shared_capture

FAST = LiveSettings(poll_interval_s=0.2, watchdog_interval_s=1.0, reconcile_interval_s=2.0, flush_interval_s=1.0)
NAMES = ("pwarn", "live-suspended", "live-delisted", "paper-suspended", "paper-delisted", "live-caution",
         "paper-caution")
KEYS = {n: (f"ms-{n}-access", f"ms-{n}-secret-0123456789abcdef0123456789") for n in NAMES}
WARNED = "KRW-IQ"
# per-market switches that may block the flagged market's entries are dropped: its entries must be attempted
OPEN = ("towers.random_entry.entry_rate=0.9", "~killswitches.spread_surge", "~killswitches.ticker_book_mismatch",
        "~killswitches.volume_dryup", "~killswitches.stale_data")


@pytest.fixture(scope="module")
def msrv(bundled_data):
    srv = capture_server(shared_capture(bundled_data), KEYS.values(), market_warnings=[WARNED])
    yield srv
    srv.stop()


@pytest.fixture
def session(msrv, tmp_path, monkeypatch):
    """session(name, mode, *overrides) -> (SessionResult, store) of a session on `msrv` with its own account."""
    def run(name, mode, *extra, duration_s=8.0, settings=FAST):
        return session_on(msrv, KEYS[name], monkeypatch, tmp_path, name, mode, extra, duration_s, settings)
    return run


def refused_decisions(store, res, market):
    return [r for r in store.records("decisions", res.run_id) if r["market"] == market and r["action"] == "rejected"]


def test_paper_takes_no_entries_on_a_warned_market(session):
    res, store = session("pwarn", "paper", f"markets=[{WARNED},KRW-DAWN,KRW-ADA]")
    assert res.summary["execution"]["flagged_markets"] == {WARNED: "warning"}
    orders = store.records("orders", res.run_id)
    assert not [o for o in orders if o["market"] == WARNED]
    reasons = refused_decisions(store, res, WARNED)
    assert reasons and all("market.flagged: warning" in str(r["reasons"]) for r in reasons)
    assert any(o["market"] != WARNED for o in orders)                     # the others trade
    # parity replays the session's flags with its market data: the replay refuses the same entries
    from engine.parity import compare
    out = compare(store, res.run_id)
    assert out["flag_changes"] >= 1 and out["flagged_real"] == len(reasons) and out["flagged_replay"] > 0
    assert abs(out["flagged_replay"] - out["flagged_real"]) <= out["decisions_real"] - out["identical_decisions"]
    assert out["identical_decisions_pct"] >= 99.0           # (the few that differ are parity's usual timing)
    store.close()


def test_paper_reads_the_public_market_list_again_and_sees_unlisted_markets(msrv):
    from engine.live.bridge import AsyncBridge
    from engine.live.market_flags import MarketFlags, _PublicMarkets
    registry.load_all()
    rest = registry.build("exchange", {"component": "upbit", "base_url": msrv.base_url}, path="feed.rest_url")
    with AsyncBridge() as bridge:                       # no keys: market/all is public
        flags = MarketFlags(_PublicMarkets(rest, bridge), ["KRW-ADA", WARNED, "KRW-GONE"], check_s=0.2)
        assert flags.current == {WARNED: "warning", "KRW-GONE": "unlisted"}      # read at start
        msrv.call(lambda: msrv.state.warned.add("KRW-ADA"))                      # flagged mid-session
        try:
            deadline = time.monotonic() + 5
            while "KRW-ADA" not in flags.current:
                assert time.monotonic() < deadline, "the periodic check did not see the new flag"
                flags.step()
                time.sleep(0.05)
        finally:
            msrv.call(lambda: msrv.state.warned.discard("KRW-ADA"))
        assert flags.checks >= 2
        bridge.call(rest.close(), 2.0)


@pytest.mark.parametrize("mode,flag", [("live", "suspended"), ("live", "delisted"),
                                       ("paper", "suspended"), ("paper", "delisted")])
def test_a_market_whose_ticker_says_suspended_or_delisted_gets_no_order(session, msrv, mode, flag):
    market = "KRW-STX"
    knob = msrv.state.suspended if flag == "suspended" else msrv.state.delisted
    msrv.call(lambda: knob.add(market))
    try:
        res, store = session(f"{mode}-{flag}", mode, f"markets=[{market},KRW-DAWN]", *OPEN, duration_s=10)
    finally:
        msrv.call(lambda: knob.discard(market))
    assert res.summary["execution"]["flagged_markets"] == {market: flag}
    assert res.flags.current() == {market: flag}
    # not one attempt: no order row (a market_offline refusal would be one) and, live, nothing on the server
    assert not [o for o in store.records("orders", res.run_id) if o["market"] == market]
    assert not [e for e in store.records("order_events", res.run_id) if e["market"] == market]
    if mode == "live":
        acc = msrv.state.accounts[KEYS[f"live-{flag}"][0]]
        placed = msrv.call(lambda: list(acc.ex.open_orders()) + list(acc.ex.closed_orders()))
        assert not [o for o in placed if o.market == market]
    reasons = refused_decisions(store, res, market)
    assert reasons and all(f"market.flagged: {flag}" in str(r["reasons"]) for r in reasons)
    from engine.monitor.state import _flagged                # what the monitor's snapshot (and metric) shows
    assert _flagged(res.loop.execution, res.loop.markets, res.loop.now_ms) == {market: flag}
    if mode == "paper":                  # the tape keeps the ticker's flag: the replay refuses the same entries
        from engine.parity import compare
        out = compare(store, res.run_id)
        assert out["flagged_real"] == len(reasons) and out["flagged_replay"] > 0
        assert abs(out["flagged_replay"] - out["flagged_real"]) <= out["decisions_real"] - out["identical_decisions"]
        assert out["identical_decisions_pct"] >= 99.0
    store.close()


@pytest.mark.parametrize("mode", ["live", "paper"])
def test_a_refused_caution_takes_the_entries_away_and_another_caution_does_not(session, msrv, mode):
    cautioned, other = "KRW-STX", "KRW-DAWN"
    msrv.call(lambda: msrv.state.cautions.update({cautioned: {"PRICE_FLUCTUATIONS"},
                                                  other: {"TRADING_VOLUME_SOARING"}}))
    try:
        res, store = session(f"{mode}-caution", mode, f"markets=[{cautioned},{other}]", *OPEN, duration_s=10,
                             settings=FAST.model_copy(update={"refuse_cautions": ["PRICE_FLUCTUATIONS"]}))
    finally:
        msrv.call(lambda: msrv.state.cautions.clear())
    why = "caution:PRICE_FLUCTUATIONS"
    assert res.summary["execution"]["flagged_markets"] == {cautioned: why}
    orders = store.records("orders", res.run_id)
    assert not [o for o in orders if o["market"] == cautioned]
    assert [o for o in orders if o["market"] == other]                 # a caution not refused: it trades
    reasons = refused_decisions(store, res, cautioned)
    assert reasons and all(f"market.flagged: {why}" in str(r["reasons"]) for r in reasons)
    store.close()


def test_flagged_markets_are_a_prometheus_gauge():
    from prometheus_client.parser import text_string_to_metric_families

    from engine.monitor.metrics import SessionMetrics
    snap = {"flagged_markets": {"KRW-STX": "suspended", WARNED: "warning"}}
    text = SessionMetrics(lambda: snap).exposition().decode()
    fam = {f.name: f for f in text_string_to_metric_families(text)}["scalp_market_flagged"]
    assert fam.type == "gauge"
    assert {(x.labels["market"], x.labels["reason"], x.value) for x in fam.samples} == \
        {("KRW-STX", "suspended", 1.0), (WARNED, "warning", 1.0)}
    empty = SessionMetrics(lambda: {}).exposition().decode()
    assert "scalp_market_flagged{" not in empty
