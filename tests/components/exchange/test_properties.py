"""Hypothesis properties: tick snapping, money conservation at every step, no fill at a price never shown."""
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.types.tick import on_grid, snap_krw, table_tick
from components.types.upbit.errors import UpbitError
from components.fill_model.queue_conservative import QueueConservative
from components.fill_model.queue_probabilistic import QueueProbabilistic


@given(st.floats(min_value=1e-6, max_value=5e9, allow_nan=False))
def test_snapping_lands_on_the_grid_on_the_right_side(price):
    down, up = snap_krw(price, "down"), snap_krw(price, "up")
    assert on_grid(down, table_tick(down)) and on_grid(up, table_tick(up))
    assert down <= price * (1 + 1e-12) and up >= price * (1 - 1e-12)
    assert price - down < table_tick(price) * (1 + 1e-9) + 1e-12
    assert snap_krw(down, "down") == down                   # idempotent: on-grid prices never move


ACTIONS = st.lists(st.tuples(
    st.integers(0, 40),                                       # events to replay before the action
    st.sampled_from(["limit", "limit_ioc", "limit_fok", "post_only", "price", "market", "best_ioc", "cancel"]),
    st.sampled_from(["bid", "ask"]),
    st.integers(-3, 3),                                       # price offset in ticks from the touch
    st.floats(0.5, 40.0),                                     # size in units of 5,000 KRW
), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, probabilistic=st.booleans(), latency=st.sampled_from([0, 30, 700]))
def test_money_is_conserved_and_fills_are_real_prices(ada_upbit, actions, probabilistic, latency):
    from components.exchange.sim import SimExchange
    from components.types.stream import MarketStream
    trades, books = ada_upbit
    s = MarketStream.build("KRW-ADA", trades=trades, books=books)
    fm = (QueueProbabilistic(QueueProbabilistic.Params(order_latency_ms=latency)) if probabilistic
          else QueueConservative(QueueConservative.Params(order_latency_ms=latency)))
    krw0, ada0 = 300_000.0, 200.0
    ex = SimExchange(SimExchange.Params()).bind(fill_model=fm, balances={"KRW": krw0, "ADA": ada0}, seed=3)
    shown: set[float] = set()          # every price the tape printed or a book displayed so far
    tape: list[tuple[int, float, float]] = []   # (ts, lowest print/ask, highest print/bid) per event
    fills, i = [], 0

    def check():
        fills.extend(ex.drain_fills())
        krw, ada = sum(ex.balance("KRW")), sum(ex.balance("ADA"))
        bought = sum(f.price * f.volume * (1 if f.side == "bid" else -1) for f in fills)
        fees = sum(f.fee_krw for f in fills)
        assert krw + bought + fees == pytest.approx(krw0, rel=1e-12, abs=1e-6)
        assert ada - sum(f.volume * (1 if f.side == "bid" else -1) for f in fills) == pytest.approx(ada0, abs=1e-9)
        assert min(ex.balance("KRW") + ex.balance("ADA")) >= 0
        locked = sum(o.locked for o in ex.open_orders() if o.side == "bid")
        assert ex.balance("KRW")[1] == pytest.approx(locked, abs=1e-6)
        for f in fills:
            if not f.maker:                 # takers trade at displayed book prices only
                assert f.price in shown
                continue
            # a maker fills at its own limit price, and only after the tape printed at or through it
            # (or the opposite best reached it) between its arrival and the fill
            o = ex.get_order(f.order_uuid)
            assert f.price == o.price
            seen = [(lo, hi) for ts, lo, hi in tape if o.arrival_ms <= ts <= f.ts_ms]
            assert any((lo <= o.price) if o.side == "bid" else (hi >= o.price) for lo, hi in seen)

    def step():
        nonlocal i
        e = s.event(i)
        if e.kind == 1:
            shown.add(e.price)
            tape.append((e.ts_ms, e.price, e.price))
        else:
            tape.append((e.ts_ms, float(e.ask_px[0]), float(e.bid_px[0])))
            shown.update(float(x) for x in e.bid_px)
            shown.update(float(x) for x in e.ask_px)
        ex.on_event(e)
        i += 1

    step()
    for n_events, kind, side, off, units in actions:
        for _ in range(n_events):
            if i < len(s):
                step()
                check()
        bk = books.row(0)
        ref = float(ex._state("KRW-ADA").bid_px[0] if side == "bid" else ex._state("KRW-ADA").ask_px[0])
        px = ref + off * table_tick(ref)
        vol = round(units * 5000 / px, 8)
        try:
            if kind == "cancel":
                for o in ex.open_orders()[:1]:
                    ex.cancel_order(o.uuid)
            elif kind in ("price", "best_ioc") and side == "bid":
                ex.create_order("KRW-ADA", "bid", "price" if kind == "price" else "best", price=round(units * 5000),
                                time_in_force="ioc" if kind == "best_ioc" else None)
            elif kind in ("market", "best_ioc"):
                ex.create_order("KRW-ADA", "ask", "market" if kind == "market" else "best", volume=vol,
                                time_in_force="ioc" if kind == "best_ioc" else None)
            elif kind != "price":
                tif = {"limit": None, "limit_ioc": "ioc", "limit_fok": "fok", "post_only": "post_only"}[kind]
                ex.create_order("KRW-ADA", side, "limit", volume=vol, price=px, time_in_force=tif)
        except UpbitError as err:
            assert err.error_name in ("insufficient_funds_bid", "insufficient_funds_ask", "under_min_total_bid",
                                      "under_min_total_ask", "create_bid_error", "create_ask_error")
        check()
    while i < len(s):
        step()
    check()
    assert math.isfinite(ex.fees_paid_krw)
