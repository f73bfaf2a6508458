"""The session watch (engine thread): daily summary at the configured KST hour, stale feed and its return,
rejected orders and store errors at most once per error_repeat_s, fills only when asked."""
import math
from datetime import datetime
from types import SimpleNamespace

import pytest

from components.types.risk import RiskSnapshot
from engine.alerts.events import KST, SessionWatch
from engine.settings import AlertSettings


pytestmark = pytest.mark.usefixtures("english")     # conftest: English messages


class Clock:
    def __init__(self, *kst):
        self.at = datetime(*kst, tzinfo=KST).timestamp()

    def __call__(self):
        return self.at

    def to(self, *kst):
        self.at = datetime(*kst, tzinfo=KST).timestamp()


def session(equity=1_000_000.0):
    snap = RiskSnapshot()
    snap.equity_krw, snap.positions_krw = equity, {}
    data = SimpleNamespace(fills=[], trades=[], trips=[])
    loop = SimpleNamespace(risk=SimpleNamespace(snapshot=snap, persist_errors=0), ledger=SimpleNamespace(data=data),
                           om=SimpleNamespace(rejected=[]), store_errors=0)
    return SimpleNamespace(loop=loop, silence=SimpleNamespace(last_s=0.0))


def watch(clock, **kw):
    posted = []
    w = SessionWatch(AlertSettings(**kw), posted.append, wall=clock)
    return w, posted


def test_daily_summary_once_a_day_at_the_kst_hour():
    clock = Clock(2026, 12, 6, 10, 30)                    # started after today's 09:00 KST: first one tomorrow
    w, posted = watch(clock, daily_summary_hour_kst=9)
    ctx = session()
    w.start(ctx)
    now = 0.0
    for at in ((2026, 12, 6, 23, 59), (2026, 12, 7, 8, 59)):
        clock.to(*at)
        now += 2
        w.tick(ctx, now)
    assert posted == []
    ctx.loop.ledger.data.trades += [{"net_krw": 1500.0}, {"net_krw": -500.0}, {"net_krw": 250.0}]
    ctx.loop.ledger.data.trips.append({"switch": "spread_surge"})
    ctx.loop.risk.snapshot.equity_krw = 1_001_250.0
    clock.to(2026, 12, 7, 9, 0, 1)
    w.tick(ctx, now + 2)
    w.tick(ctx, now + 4)                                  # same day: not again
    assert [a.event for a in posted] == ["daily_summary"]
    assert posted[0].message == ("daily summary 2026-12-07 KST: equity 1,001,250 KRW, PnL since 12-06 10:30 "
                                 "+1,250 KRW (+0.12%), 3 trades (2 won, net +1,250 KRW), 1 kill-switch trips, "
                                 "0 open positions")
    clock.to(2026, 12, 8, 9, 15)
    w.tick(ctx, now + 6)
    assert len(posted) == 2 and "PnL since 12-07 09:00 +0 KRW" in posted[1].message and "0 trades" in posted[1].message


def test_a_session_started_before_the_hour_sends_it_the_same_day():
    clock = Clock(2026, 12, 6, 7, 0)
    w, posted = watch(clock, daily_summary_hour_kst=9)
    ctx = session()
    w.start(ctx)
    clock.to(2026, 12, 6, 9, 0)
    w.tick(ctx, 5.0)
    assert [a.event for a in posted] == ["daily_summary"]


def test_stale_feed_is_alerted_once_and_its_return_once():
    w, posted = watch(Clock(2026, 12, 6, 12), stale_feed_s=10, events={"daily_summary": False})
    ctx = session()
    w.start(ctx)
    for now in (5.0, 10.5, 11.0, 30.0):                   # last event at 0: stale from 10 s on
        w.tick(ctx, now)
    ctx.silence.last_s = 31.0
    w.tick(ctx, 31.0)
    w.tick(ctx, 32.0)
    assert [(a.event, a.level) for a in posted] == [("stale_feed", "warning"), ("stale_feed", "warning")]
    assert posted[0].message == "no feed event for 10 s (limit 10 s)"
    assert posted[1].message == "feed delivering again after a 31 s gap"


def test_rejects_and_store_errors_at_most_once_per_repeat_window():
    w, posted = watch(Clock(2026, 12, 6, 12), error_repeat_s=60, events={"daily_summary": False, "stale_feed": False})
    ctx = session()
    w.start(ctx)
    mo = SimpleNamespace(intent=SimpleNamespace(market="KRW-BTC", side="bid"))
    ctx.loop.om.rejected.append((mo, "exchange.insufficient_funds_bid: not enough KRW"))
    w.tick(ctx, 100.0)
    ctx.loop.om.rejected += [(mo, "exchange.insufficient_funds_bid: again")] * 4
    ctx.loop.store_errors = 2
    ctx.loop.risk.persist_errors = 1
    w.tick(ctx, 110.0)
    w.tick(ctx, 150.0)
    assert [a.fields["kind"] for a in posted] == ["rejected", "store"]
    assert posted[0].message == ("exchange rejected 1 orders; last: KRW-BTC bid: exchange.insufficient_funds_bid: "
                                 "not enough KRW")
    assert posted[1].message == "3 store write errors (3 in all): the session goes on, rows are retried"
    w.tick(ctx, 161.0)                                     # the window passed: the 4 held back go out as one
    assert posted[2].message.startswith("exchange rejected 4 orders; last: KRW-BTC bid: exchange.insufficient")
    assert len(posted) == 3


def test_fills_only_when_switched_on():
    fill = {"market": "KRW-BTC", "side": "bid", "volume": 0.001, "price": 95_000_000.0, "fee_krw": 47.5}
    for on, want in ((False, []), (True, ["fill KRW-BTC bid 0.001 @ 95,000,000 (fee 48 KRW)"])):
        w, posted = watch(Clock(2026, 12, 6, 12), events={"fills": on, "daily_summary": False})
        ctx = session()
        w.start(ctx)
        ctx.loop.ledger.data.fills.append(fill)
        w.tick(ctx, 1.0)
        w.tick(ctx, 2.0)
        assert [a.message for a in posted] == want
    assert not math.isnan(w.summary_equity)


def test_a_flagged_market_is_alerted_once_per_reason():
    w, posted = watch(Clock(2026, 12, 6, 10, 30))
    ctx = session()
    ctx.loop.execution = SimpleNamespace(flagged={})
    w.start(ctx)
    w.tick(ctx, 1.0)
    assert posted == []
    ctx.loop.execution.flagged["KRW-STX"] = "suspended"      # the ticker said so
    w.tick(ctx, 2.0)
    w.tick(ctx, 3.0)                                          # still flagged: not again
    ctx.loop.execution.flagged["KRW-STX"] = "delisted"       # now a delisting: a new alert
    ctx.loop.execution.flagged["KRW-IQ"] = "warning"
    w.tick(ctx, 4.0)
    assert [(a.event, a.level, a.fields["market"], a.fields["reason"]) for a in posted] == [
        ("market_flagged", "warning", "KRW-STX", "suspended"), ("market_flagged", "warning", "KRW-STX", "delisted"),
        ("market_flagged", "warning", "KRW-IQ", "warning")]
    assert posted[0].message.startswith("KRW-STX: no new entries (trading suspended")
    off, posted_off = watch(Clock(2026, 12, 6, 10, 30), events={"market_flags": False})
    off.start(ctx)
    off.tick(ctx, 5.0)
    assert posted_off == []
