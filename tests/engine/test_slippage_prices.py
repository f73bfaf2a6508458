"""Limit-first and cap prices on Upbit's KRW tick grid; slippage sign per side."""
import math

import pytest

from components.types.tick import table_tick
from engine.loop.slippage import cap_price, slippage_bps, touch_price


def test_touch_price_moves_by_ticks_and_never_crosses():
    tick = table_tick(6_245.0, "KRW")                       # 5 KRW between 5,000 and 10,000 (UPBIT_API.md §8.1)
    assert tick == 5
    assert touch_price("bid", 6_245, 6_260, 6_250, 0, tick) == 6_245
    assert touch_price("bid", 6_245, 6_260, 6_250, 2, tick) == 6_255
    assert touch_price("bid", 6_245, 6_260, 6_250, 9, tick) == 6_255       # one tick under the ask at most
    assert touch_price("bid", 6_245, 6_260, 6_250, -3, tick) == 6_230
    assert touch_price("ask", 6_245, 6_260, 6_250, 1, tick) == 6_255
    assert touch_price("ask", 6_245, 6_260, 6_250, 9, tick) == 6_250       # one tick over the bid at least
    assert touch_price("bid", math.nan, math.nan, 6_250, 0, tick) == 6_250  # no book: the last trade
    assert math.isnan(touch_price("bid", math.nan, math.nan, math.nan, 0, tick))


def test_cap_price_is_on_the_grid_and_inside_the_cap():
    tick = table_tick(100_000.0, "KRW")
    buy, sell = cap_price("bid", 100_000, 25, tick), cap_price("ask", 100_000, 25, tick)
    assert buy % tick == 0 and sell % tick == 0
    assert buy <= 100_250 and sell >= 99_750
    assert slippage_bps("bid", 100_000, buy) <= 25 and slippage_bps("ask", 100_000, sell) <= 25


def test_slippage_is_positive_when_worse():
    assert slippage_bps("bid", 100.0, 101.0) == pytest.approx(100.0)
    assert slippage_bps("ask", 100.0, 99.0) == pytest.approx(100.0)
    assert slippage_bps("ask", 100.0, 101.0) == pytest.approx(-100.0)
    assert math.isnan(slippage_bps("bid", math.nan, 1.0))
