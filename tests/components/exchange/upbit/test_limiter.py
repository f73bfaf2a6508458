"""Rate limiter: never more than a group's budget in any window (property), header tightening, 429/418."""
import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from components.types.upbit.limiter import DEFAULT_LIMITS, RateLimiter, parse_remaining_req


def _max_in_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    best, j = 0, 0
    for i, t in enumerate(starts):
        while starts[j] <= t - window + 1e-12:
            j += 1
        best = max(best, i - j + 1)
    return best


@settings(max_examples=200, deadline=None)
@given(group=st.sampled_from(sorted(DEFAULT_LIMITS)),
       gaps=st.lists(st.floats(min_value=0, max_value=0.3), min_size=1, max_size=120),
       order_per_s=st.integers(min_value=1, max_value=30))
def test_burst_never_exceeds_group_rate(group, gaps, order_per_s):
    lim = RateLimiter(order_per_s=order_per_s, clock=lambda: 0.0)
    now, starts = 0.0, []
    for g in gaps:
        now += g
        starts.append(lim.reserve(group, now))
    limit, window = lim.limits[group]
    assert all(s >= a for s, a in zip(starts, [sum(gaps[:i + 1]) for i in range(len(gaps))]))
    assert _max_in_window(starts, window) <= limit
    # A pure burst of 3x the budget is spread over at least two more windows.
    burst = RateLimiter(order_per_s=order_per_s, clock=lambda: 0.0)
    s = [burst.reserve(group, 0.0) for _ in range(3 * limit)]
    assert _max_in_window(s, window) <= limit and max(s) >= 2 * window - 1e-9


def test_remaining_req_header_tightens_and_parses_without_min():
    assert parse_remaining_req("group=default; min=1800; sec=29") == ("default", 29)
    assert parse_remaining_req("group=candles; sec=3") == ("candle", 3)
    assert parse_remaining_req("garbage") is None
    lim = RateLimiter(clock=lambda: 0.0)
    lim.observe("group=ticker; min=600; sec=0", now=0.0)      # someone else used this second
    assert lim.reserve("ticker", 0.0) >= 1.0
    lim2 = RateLimiter(clock=lambda: 0.0)
    lim2.observe("group=ticker; min=600; sec=9", now=0.0)
    assert lim2.reserve("ticker", 0.0) == 0.0


def test_429_backs_off_exponentially_and_418_blocks():
    lim = RateLimiter(clock=lambda: 0.0)
    assert [lim.on_429("order", 0.0) for _ in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert lim.reserve("order", 0.0) >= 8.0
    lim.on_418(30.0, now=0.0)
    assert lim.is_blocked(10.0) and not lim.is_blocked(31.0)
    assert lim.reserve("default", 0.0) >= 30.0


def test_acquire_really_waits():
    lim = RateLimiter({"g": (2, 0.2)})
    loop = asyncio.new_event_loop()
    t0 = loop.time()
    for _ in range(5):
        loop.run_until_complete(lim.acquire("g"))
    assert loop.time() - t0 >= 0.39
    loop.close()
