"""Alert events of a paper/live session: the Alert record and the per-tick watch that turns session state into
alerts (fills, rejected orders, store errors, stale feed, flagged markets, daily summary). Runs on the engine
thread: cheap."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

from engine.i18n import t

KST = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: `event` names its kind (killswitch_trip, error, ...), `level` info|warning|critical."""
    event: str
    level: str
    message: str
    fields: dict = field(default_factory=dict)
    ts_ms: int = 0


def make(event: str, level: str, message: str, **fields: Any) -> Alert:
    return Alert(event, level, message, {k: v for k, v in fields.items() if v not in (None, "")},
                 int(time.time() * 1000))


def equity_of(loop: Any) -> float:
    """The risk manager's last valuation (no exchange call); the loop's own valuation before the first one."""
    eq = float(loop.risk.snapshot.equity_krw)
    return eq if math.isfinite(eq) else float(loop.execution.valuation()[0])


class SessionWatch:
    """Compares the session's counters with the last tick's and posts what changed. `wall` (epoch seconds) is
    injectable so tests can move the KST clock."""

    def __init__(self, s: Any, post: Callable[[Alert], None], wall: Callable[[], float] = time.time) -> None:
        self.s, self.ev, self.post, self.wall = s, s.events, post, wall
        self.n_fills = self.n_rejects = self.n_trades = self.n_trips = 0
        self.store_errors = 0
        self.pending_rejects = self.pending_store = 0
        self.last_reject_s = self.last_store_s = -math.inf
        self.stale, self.stale_from = False, 0.0
        self.next_clock_s = 0.0
        self.summary_day: Any = None
        self.summary_equity = math.nan
        self.summary_since = ""
        self.flags_seen: dict[str, str] = {}     # market flags already alerted (execution.flagged)

    def start(self, ctx: Any) -> None:
        loop = ctx.loop
        self.n_fills, self.n_rejects = len(loop.ledger.data.fills), len(loop.om.rejected)
        self.n_trades, self.n_trips = len(loop.ledger.data.trades), len(loop.ledger.data.trips)
        self.store_errors = self._store_errors(loop)
        now = datetime.fromtimestamp(self.wall(), KST)
        hour = self.s.daily_summary_hour_kst
        self.summary_day = now.date() if now.hour >= hour else now.date() - timedelta(days=1)
        self.summary_equity, self.summary_since = equity_of(loop), now.strftime("%m-%d %H:%M")

    @staticmethod
    def _store_errors(loop: Any) -> int:
        return int(loop.store_errors) + int(loop.risk.persist_errors)

    def tick(self, ctx: Any, now_s: float) -> None:
        loop, ev = ctx.loop, self.ev
        if ev.fills:
            fills = loop.ledger.data.fills
            for f in fills[self.n_fills:]:
                self.post(make("fill", "info", t("alerts.fill", **{k: f[k] for k in ("market", "side", "volume",
                                                                                      "price", "fee_krw")})))
            self.n_fills = len(fills)
        if ev.errors:
            self._errors(loop, now_s)
        if ev.stale_feed and ctx.silence is not None:
            self._feed(ctx.silence, now_s)
        flagged = getattr(getattr(loop, "execution", None), "flagged", None)
        if ev.market_flags and flagged is not None and flagged != self.flags_seen:
            self._flags(flagged)
        if ev.daily_summary and now_s >= self.next_clock_s:
            self.next_clock_s = now_s + 1.0          # the wall clock is read once a second, not every tick
            self._summary(loop)

    def _errors(self, loop: Any, now_s: float) -> None:
        rejected = loop.om.rejected
        if len(rejected) > self.n_rejects:
            self.pending_rejects += len(rejected) - self.n_rejects
            self.n_rejects = len(rejected)
        if self.pending_rejects and now_s - self.last_reject_s >= self.s.error_repeat_s:
            mo, reason = rejected[-1]
            it = mo.intent
            self.post(make("error", "warning", t("alerts.rejected", n=self.pending_rejects, market=it.market,
                                                 side=it.side, reason=str(reason)[:200]), kind="rejected"))
            self.pending_rejects, self.last_reject_s = 0, now_s
        total = self._store_errors(loop)
        if total > self.store_errors:
            self.pending_store += total - self.store_errors
            self.store_errors = total
        if self.pending_store and now_s - self.last_store_s >= self.s.error_repeat_s:
            self.post(make("error", "warning", t("alerts.store_errors", n=self.pending_store, total=total),
                           kind="store"))
            self.pending_store, self.last_store_s = 0, now_s

    def _flags(self, flagged: dict) -> None:
        """One alert per market newly flagged (or flagged for another reason): no new entries there."""
        now = dict(flagged)
        for m, why in now.items():
            if self.flags_seen.get(m) != why:
                reason = t(f"live.flag.{why}") if why in ("warning", "suspended", "unlisted", "delisted") else why
                self.post(make("market_flagged", "warning", t("alerts.market_flagged", market=m, reason=reason),
                               market=m, reason=why))
        self.flags_seen = now

    def _feed(self, silence: Any, now_s: float) -> None:
        idle_s = now_s - silence.last_s
        if not self.stale and idle_s >= self.s.stale_feed_s:
            self.stale, self.stale_from = True, silence.last_s
            self.post(make("stale_feed", "warning", t("alerts.feed_stale", seconds=idle_s,
                                                      limit_s=self.s.stale_feed_s)))
        elif self.stale and idle_s < self.s.stale_feed_s:
            self.stale = False
            self.post(make("stale_feed", "warning", t("alerts.feed_back", seconds=silence.last_s - self.stale_from)))

    def _summary(self, loop: Any) -> None:
        now = datetime.fromtimestamp(self.wall(), KST)
        if now.hour < self.s.daily_summary_hour_kst or now.date() == self.summary_day:
            return
        self.summary_day = now.date()
        data = loop.ledger.data
        trades = data.trades[self.n_trades:]
        equity = equity_of(loop)
        base = self.summary_equity
        pnl = equity - base if math.isfinite(base) else math.nan
        self.post(make("daily_summary", "info", t(
            "alerts.daily_summary", date=now.strftime("%Y-%m-%d"), equity_krw=equity, since=self.summary_since,
            pnl_krw=pnl, pnl_pct=100.0 * pnl / base if math.isfinite(base) and base > 0 else math.nan,
            trades=len(trades), wins=sum(1 for tr in trades if tr["net_krw"] > 0),
            net_krw=sum(tr["net_krw"] for tr in trades), trips=len(data.trips) - self.n_trips,
            positions=len(loop.risk.snapshot.positions_krw))))
        self.n_trades, self.n_trips = len(data.trades), len(data.trips)
        self.summary_equity, self.summary_since = equity, now.strftime("%m-%d %H:%M")
