"""What happens when an order reaches the simulated book: post-only/FOK/IOC checks, taking liquidity, resting."""
from __future__ import annotations

import math

import numpy as np

from components.exchange import _kernels as K
from components.types.tick import floor_volume, snap

_OUT_PX = np.empty(64)
_OUT_VOL = np.empty(64)


def arrive(ex, o) -> None:
    """Match a newly arrived order against the current snapshot (or the no-book estimate)."""
    o.arrived = True
    if o.state != "wait":            # cancelled while travelling
        return
    st = ex._state(o.market)
    if st.bid_px is None:
        _arrive_without_book(ex, st, o)
        return
    bid = o.is_bid
    opp_px, opp_sz = (st.ask_px, st.ask_sz) if bid else (st.bid_px, st.bid_sz)
    if (o.time_in_force == "post_only" and o.ord_type == "limit" and o.remaining_volume > 1e-12
            and _rests(bid, o.price, opp_px[0])):
        ex._rest(o)                  # nothing within its price on the other side: the walk would take nothing
        return
    if bid:
        if st.used_ask is None:
            st.used_ask = np.zeros_like(st.ask_sz)
        used = st.used_ask
    else:
        if st.used_bid is None:
            st.used_bid = np.zeros_like(st.bid_sz)
        used = st.used_bid
    limit = o.price if o.ord_type == "limit" else 0.0
    only_best = o.ord_type == "best"
    want = o.funds_left if o.by_funds else o.remaining_volume
    tif = o.time_in_force
    if o.ord_type == "limit" and tif == "post_only":
        best = opp_px[0]
        if best > 0 and ((bid and best <= o.price) or (not bid and best >= o.price)):
            # would take liquidity: a post-only order is cancelled, never fills. UNCONFIRMED for Upbit: it may
            # refuse such an order at creation instead (`invalid_post_only`, third-party error maps only, UPBIT_API.md §6)
            ex._close(o, "cancel")
            return
    if tif == "fok":
        if only_best:
            avail = max(opp_sz[0] - used[0], 0.0) if opp_px[0] > 0 else 0.0
            depth = avail * opp_px[0] if o.by_funds else avail
        else:
            depth = K.depth_available(opp_px, opp_sz, used, bid, limit, o.by_funds)
        if depth < want * (1 - 1e-12):
            ex._close(o, "cancel")
            return
    n_levels = opp_px.shape[0]
    out_px, out_vol = (_OUT_PX, _OUT_VOL) if n_levels <= 64 else (np.empty(n_levels), np.empty(n_levels))
    n = K.walk_book(opp_px, opp_sz, used, bid, limit, want, o.by_funds, only_best,
                    ex.p.volume_decimals, out_px, out_vol)
    ts = ex.now_ms
    touch = float(opp_px[0])
    other = float(st.bid_px[0] if bid else st.ask_px[0])
    half = 0.5 * abs(touch - other) if touch > 0 and other > 0 else 0.0
    for i in range(n):
        px = float(out_px[i])           # cost vs the mid: half the spread at the touch, the walk beyond it
        ex._execute(o, px, float(out_vol[i]), ts, False, (half, abs(px - touch) if touch > 0 else 0.0, 0.0))
    _resolve(ex, o)


def _rests(bid: bool, price: float, best: float) -> bool:
    """A post-only limit that cannot take anything: the other side's best is beyond its price by more than the
    matching tolerance (or that side is empty), so `walk_book` would stop at its first level."""
    if not best > 0:
        return True
    tol = abs(price) * 1e-10 + 1e-12         # K._tol, without a kernel dispatch per order
    return best > price + tol if bid else best < price - tol


def _resolve(ex, o) -> None:
    """After taking: done, rest (plain limit), or cancel the remainder (ioc/fok/best/market)."""
    if o.by_funds:
        # leftover KRW below one volume unit is returned: Upbit ends such market buys in `cancel`
        ex._close(o, "done" if o.funds_left <= 1e-9 else "cancel")
    elif o.remaining_volume <= 1e-12:
        ex._close(o, "done")
    elif o.ord_type == "limit" and o.time_in_force is None or o.time_in_force == "post_only":
        ex._rest(o)
    else:
        ex._close(o, "cancel")


def _arrive_without_book(ex, st, o) -> None:
    """Trade- or candle-only data: takers fill at the last price +/- half the estimated spread + slippage."""
    ref = st.last_px
    market_like = o.ord_type != "limit"
    if not math.isfinite(ref):
        if market_like or o.time_in_force in ("ioc", "fok"):
            ex._close(o, "cancel")     # nothing known to trade against yet
        else:
            ex._rest(o)
        return
    costs = ex.costs
    tick = ex.tick_size(o.market, ref)
    half = max(0.5 * costs.spread_frac(o.market, ref) * ref, 0.5 * tick)
    slip = (costs.slippage_frac + costs.latency_cost_frac(o.market, o.arrival_ms - o.created_ms)) * ref
    if o.is_bid:
        touch = snap(ref + half, tick, "up")
        px = snap(ref + half + slip, tick, "up")
        crosses = market_like or o.price >= touch
        if o.ord_type == "limit":
            px = min(px, o.price)
    else:
        touch = snap(ref - half, tick, "down")
        px = snap(ref - half - slip, tick, "down")
        crosses = market_like or o.price <= touch
        if o.ord_type == "limit":
            px = max(px, o.price)
    if crosses and o.time_in_force == "post_only":
        ex._close(o, "cancel")
        return
    if crosses and px > 0:
        v = floor_volume(o.funds_left / px, ex.p.volume_decimals) if o.by_funds else o.remaining_volume
        if v > 0:    # cost vs the last price: half spread, slippage + latency, the rest is tick rounding
            paid = abs(px - ref)
            h, s = min(half, paid), min(slip, max(paid - half, 0.0))
            ex._execute(o, px, v, ex.now_ms, False, (h, s, max(paid - h - s, 0.0)))
    _resolve(ex, o)
