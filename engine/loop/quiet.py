"""Replay events for `drive` with quiet runs skipped in kernels: the loop only sees events that can change something."""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
from numba import njit

from components.types.events import BOOK, CANDLE, TRADE
from components.types.feed.tape import F_ASK0, F_BID0, F_PX, F_VOL, I_KIND, I_MKT, I_TS, ReplayTape
from components.types.risk import FLATTEN

# per-market columns of the kernel's state (flags are 0.0 / 1.0; times are exact in float64)
(_LAST_PX, _BID, _ASK, _TRADE_PX, _TRADED, _MID, _SPREAD, _PEAK, _VOL, _COST, _LAST_TS, _SEEN, _PRINTED, _BOOKED,
 _PEAK_ON) = range(15)
_NAN = math.nan
_FAR = 2**62


@njit(cache=True)
def quiet_market(ints, flts, i0, i1, f, fee_rate, poll):
    """What `MarketData.observe`, the order manager's poll clock and the exits' peak tracking make of events
    i0..i1-1 (none of which touches an order): the same arithmetic in the same order, per market (rows of f)."""
    for i in range(i0, i1):
        m = ints[i, I_MKT]
        t = ints[i, I_TS]
        kd = ints[i, I_KIND]
        f[m, _LAST_TS] = t
        f[m, _SEEN] = 1.0
        if kd == TRADE:
            p = flts[i, F_PX]
            f[m, _LAST_PX] = p
            f[m, _TRADE_PX] = p
            f[m, _TRADED] += p * flts[i, F_VOL]
            f[m, _PRINTED] = 1.0
        elif kd == BOOK:
            b = flts[i, F_BID0]
            a = flts[i, F_ASK0]
            if b > 0.0 and a > 0.0 and a > b:
                mid = 0.5 * (a + b)
                f[m, _BID] = b
                f[m, _ASK] = a
                f[m, _LAST_PX] = mid
                f[m, _MID] = mid
                f[m, _SPREAD] = 100.0 * (a - b) / mid
                f[m, _BOOKED] = 1.0
        if poll[0] != 0 and t - poll[2] >= poll[1]:
            poll[2] = t
        if f[m, _PEAK_ON] != 0.0:
            bid = f[m, _BID]
            price = bid if math.isfinite(bid) else f[m, _LAST_PX]
            if math.isfinite(price):
                vol = f[m, _VOL]
                cost = f[m, _COST]
                r = 0.0 if (vol <= 0.0 or cost <= 0.0) else (vol * price * (1.0 - fee_rate)) / cost - 1.0
                if r > f[m, _PEAK]:
                    f[m, _PEAK] = r


class QuietReplay:
    """The replay's events in `iter_merged` order for `drive`, minus quiet runs, which kernels apply.

    An event is quiet when it cannot change an order, a position or a decision: it fills no resting order,
    no order or cancel of ours arrives with it, it is not a candle, and it comes before the loop's next
    wake-up (quoting timer, kill-switch evaluation, equity snapshot, an order's TTL). Such events only move
    books, prices, queue positions, the market-data metrics, the order manager's poll clock and open
    positions' peak returns; the exchange (`replay_quiet`) and `quiet_market` apply exactly that. Only runs
    without features, towers, exit triggers, pending outcomes or flatten trips are skipped, so every quiet
    event would have gone through `on_event` without any other effect. The loop's own work at a wake-up runs
    where `on_event` runs it: the quoting timer ahead of the event that crosses its grid point, the end of
    `on_event` (kill switches, equity) after the quiet event that reaches it, and an unthrottled poll hands
    back an order the timer closed; an event that fills, or comes with an arrival, goes to `on_event`.
    `consumed` counts the events done (progress)."""

    def __init__(self, loop: Any, streams: dict) -> None:
        self.loop = loop
        self.tape = tape = ReplayTape.build(streams)
        self.consumed = 0
        self._objs = [streams[m] for m in tape.markets]
        self._mk = [(m, loop.md.keys[m]) for m in tape.markets]     # (market, its metric keys) per tape index
        self._poll = np.zeros(3, np.int64)
        self._f = np.empty((len(tape.markets), 15))        # quiet_market's per-market state, refilled per run

    @staticmethod
    def eligible(loop: Any, streams: dict) -> bool:
        """Whether this loop's replay may skip quiet runs at all (the exchange can, nothing reads every event)."""
        triggers = getattr(getattr(loop.risk, "exits", None), "triggers", None)
        return (hasattr(loop.ex, "replay_quiet") and loop._feed_exchange is not None and not loop.md.names
                and not loop.md.rows and triggers is not None and not triggers
                and all(m in loop.md.keys for m in streams))

    def __iter__(self) -> Iterator:
        tape, objs = self.tape, self._objs
        mk, kind, pos, ts = tape.ints[:, I_MKT], tape.ints[:, I_KIND], tape.pos, tape.ts_ms
        n = len(tape)
        i, polled, direct = 0, -1, -1
        while i < n:
            if i == direct:                      # the kernel stopped here: this event is not quiet (below)
                self.consumed = i + 1
                yield objs[mk[i]].event(int(pos[i]))
                i += 1
                continue
            wake = self._wake()
            if wake is not None:
                hard, soft, timer, closed = wake
                t = int(ts[i])
                if kind[i] == CANDLE:            # (a history candle fires no timer: on_event decides)
                    wake = None
                elif t >= timer:                 # the quoting timer fires ahead of this event, as in on_event
                    self.loop.quoter.fire_due(t)
                    continue
                elif closed and polled != i:     # on_event's poll at this event (unthrottled: a fill the
                    polled = i                   # event itself brings is handed back by its own poll)
                    ex = self.loop.execution
                    ex.collect_fills()
                    ex.poll(t)
                    continue
                elif closed:                     # still not handed back: on_event takes the event
                    wake = None
            if wake is not None:
                if t < hard:
                    i1 = self._skip(i, hard, soft)
                    if i1 > i:
                        # A run that stopped before `hard` without reaching `soft` (no loop work ran, nothing
                        # closed) stopped at an event that fills, meets an arrival or is a candle: the next
                        # wake-up would be the same and its skip would apply nothing, so it goes to on_event.
                        if not closed and i1 < n and int(ts[i1 - 1]) < soft and int(ts[i1]) < hard:
                            direct = i1
                        i = self.consumed = i1
                        continue
            self.consumed = i + 1
            yield objs[mk[i]].event(int(pos[i]))
            i += 1

    def _wake(self) -> tuple[int, int, int, bool] | None:
        """(no event at or after this is quiet, the loop's own wake-up, the quoting timer in data time, whether
        an order closed that the next poll hands back), or None when no event may be skipped now."""
        lp = self.loop
        if lp.pipeline.towers:
            return None
        q = lp.quoter
        timer = _FAR
        if q is not None:
            if q.next_ms is None:
                return None
            timer = q.next_ms
        hard = timer
        om = lp.execution.om
        if om._unknown:
            return None
        closed = False
        for mo in om.open.values():
            if mo.state != "wait":             # a final state the poll has not handed back yet
                closed = True
            elif mo.expires_ms is not None and not mo.cancel_sent and mo.expires_ms < hard:
                hard = mo.expires_ms
        if closed and om.s.poll_interval_ms != 0:
            return None                        # the throttled poll decides when it is handed back
        if lp.risk.trips and any(t.action == FLATTEN for t in lp.risk.trips.values()):
            return None
        pending = lp.outcomes.pending
        if pending and any(pending.values()):
            return None
        soft = min(lp._last_eval_ms + lp.interval_ms, lp._last_equity_ms + lp.equity_interval_ms)
        return hard, soft, timer, closed

    def _after(self, j: int, t: int) -> None:
        """The end of `on_event` for quiet event j at data time t: kill-switch evaluation and equity snapshot
        when due (no towers: no decision)."""
        lp = self.loop
        if t - lp.last_decision_ms[self.tape.markets[self.tape.ints[j, I_MKT]]] >= lp.interval_ms:
            if t - lp._last_eval_ms >= lp.interval_ms:
                lp._evaluate_risk(t)
        if t - lp._last_equity_ms >= lp.equity_interval_ms:
            lp._snapshot(t)

    def _skip(self, i0: int, hard: int, soft: int) -> int:
        """Apply the quiet events from i0 on (the exchange decides where they end, at the latest the first at
        or after `soft`, whose end of `on_event` runs here too); returns the next index."""
        lp, tape = self.loop, self.tape
        i1 = lp.ex.replay_quiet(tape, i0, hard, soft)
        if i1 <= i0:
            return i0
        md, ex, met = lp.md, lp.execution, lp.metrics
        om, positions = ex.om, ex.positions
        last_px, best_bid, best_ask = md.last_px, md.best_bid, md.best_ask
        f, get = self._f, met.get
        for j, (m, key) in enumerate(self._mk):
            pos = positions[m]
            on = 1.0 if pos.volume > 0 and not (om.open and om.working(m, "exit")) else 0.0
            f[j] = (last_px[m], best_bid[m], best_ask[m], _NAN, get(key.traded, 0.0), _NAN, _NAN,
                    pos.peak_return, pos.volume, pos.cost_krw, 0.0, 0.0, 0.0, 0.0, on)
        poll = self._poll
        poll[0], poll[1], poll[2] = 1 if om.open else 0, om.s.poll_interval_ms, om._last_poll_ms
        quiet_market(tape.ints, tape.flts, i0, i1, f, float(lp.risk.exits.costs.fee_rate), poll)
        costs = md.costs if md.costs is not lp.ex.costs else None   # the exchange observed the same book
        upd = met.set_floats
        for (m, key), r in zip(self._mk, f.tolist()):
            if not r[_SEEN]:
                continue
            if r[_PRINTED]:
                md.printed.add(m)
                if r[_BOOKED]:
                    upd(((key.last_ts, r[_LAST_TS]), (key.trade_px, r[_TRADE_PX]), (key.traded, r[_TRADED]),
                         (key.mid, r[_MID]), (key.spread, r[_SPREAD])))
                else:
                    upd(((key.last_ts, r[_LAST_TS]), (key.trade_px, r[_TRADE_PX]), (key.traded, r[_TRADED])))
            elif r[_BOOKED]:
                upd(((key.last_ts, r[_LAST_TS]), (key.mid, r[_MID]), (key.spread, r[_SPREAD])))
            else:
                upd(((key.last_ts, r[_LAST_TS]),))
            if r[_BOOKED]:
                b, a = r[_BID], r[_ASK]
                best_bid[m], best_ask[m] = b, a
                if costs is not None:
                    costs.observe_book(m, b, a)
            last_px[m] = r[_LAST_PX]
            if r[_PEAK_ON]:
                positions[m].peak_return = r[_PEAK]
        if om.open:
            om._last_poll_ms = int(poll[2])
        last = int(tape.ts_ms[i1 - 1])
        lp.now_ms = last
        lp.events += i1 - i0
        if last >= soft:
            self._after(i1 - 1, last)
        return i1
