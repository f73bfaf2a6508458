"""Adaptive Kelly: re-estimation arithmetic (every 50 trades, last 200, 0.9/0.1 blend, 0.35 cap), regime
and class factors, state round trip — returns taken from real KRW-BTC 1-minute bars."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import components.sizing.adaptive_kelly  # noqa: F401
import registry
from components.types.feed.loaders import load_candles
from components.sizing.adaptive_kelly import kelly_fraction
from components.types.costs import UPBIT_FEE_RATE as FEE_RATE_KRW
from components.types.orders import MIN_ORDER_KRW
from components.types.risk import SizingContext


def build(**kw):
    return registry.build("sizing", {"component": "adaptive_kelly", **kw}, path="sizing")


def reference_kelly(r):
    """Independent FORMULAS.md form: f* = (R w - (1 - w)) / R, clipped to [0, 1]."""
    wins = [x for x in r if x > 0]
    losses = [-x for x in r if x <= 0]
    w = len(wins) / len(r)
    big_r = (sum(wins) / len(wins)) / (sum(losses) / len(losses))
    return min(max((big_r * w - (1 - w)) / big_r, 0.0), 1.0)


@pytest.fixture(scope="module")
def real_returns(shared_data):
    """5-bar forward returns of KRW-BTC minus a 0.1 % round-trip fee: a realistic win/loss mix."""
    c = load_candles(shared_data / "upbit" / "candles_1m" / "KRW-BTC.csv.gz", "KRW-BTC").close
    r = c[5::5] / c[:-5:5] - 1.0 - 0.001
    return [float(x) for x in r[:400]]


def test_kelly_formula_matches_reference(real_returns):
    r = real_returns[:200]
    assert kelly_fraction(np.array(r)) == pytest.approx(reference_kelly(r), abs=1e-12)
    assert kelly_fraction(np.array([0.01, 0.02])) == 1.0            # no losses: f* = w
    assert kelly_fraction(np.array([-0.01, 0.0])) == 0.0             # no wins
    # w = 0.6, R = 2 -> f* = 0.6 - 0.4 / 2 = 0.4
    assert kelly_fraction(np.array([0.02] * 6 + [-0.01] * 4)) == pytest.approx(0.4)


def test_refit_only_every_50_trades_from_the_last_200(real_returns):
    k = build(initial_fraction=0.05)
    for x in real_returns[:49]:
        k.record_trade(x)
    assert k.fraction == 0.05                                         # not before the 50th trade
    k.record_trade(real_returns[49])
    f1 = 0.9 * 0.05 + 0.1 * reference_kelly(real_returns[:50])
    assert k.fraction == pytest.approx(min(f1, 0.35))
    for x in real_returns[50:250]:
        k.record_trade(x)
    f = f1
    for n in (100, 150, 200, 250):                                    # each refit sees the last <= 200 trades
        f = min(0.9 * f + 0.1 * reference_kelly(real_returns[max(0, n - 200):n]), 0.35)
    assert k.fraction == pytest.approx(f)


def test_fraction_is_capped_at_max_fraction():
    k = build(initial_fraction=0.34, keep_weight=0.0)                 # no shrink: jump to f*
    for _ in range(50):
        k.record_trade(0.01)                                           # all wins: f* = 1
    assert k.fraction == 0.35


def test_size_class_cap_regime_and_emerging_factor():
    k = build(initial_fraction=0.10)
    eq = 1_000_000
    assert k.size_krw(eq, 0.7, SizingContext(market_class="majors", equity_krw=eq)) == 100_000
    assert k.size_krw(eq, 0.7, SizingContext(market_class="alts", equity_krw=eq)) == 80_000      # 8 % cap
    assert k.size_krw(eq, 0.7, SizingContext(market_class="emerging", equity_krw=eq)) == 30_000  # x0.3
    assert k.size_krw(eq, 0.7, SizingContext(equity_krw=eq, vpin=0.75)) == 30_000                # x0.3
    assert k.size_krw(eq, 0.7, SizingContext(equity_krw=eq, vpin=0.70)) == 100_000               # not above
    assert k.size_krw(eq, 0.7, SizingContext(equity_krw=eq, kyle_lambda_pct=0.85)) == 60_000     # x0.6
    assert k.size_krw(eq, 0.7, SizingContext(equity_krw=eq, vpin=0.9, kyle_lambda_pct=0.9)) == 18_000
    k.fraction = 0.30
    assert k.size_krw(eq, 0.7, SizingContext(market_class="majors", equity_krw=eq)) == 120_000   # 12 % cap


def test_lambda_is_ranked_against_its_own_history_when_no_percentile_is_given(real_returns):
    k = build(initial_fraction=0.10)
    lams = [abs(x) for x in real_returns[:100]]
    for lam in lams:
        k.size_krw(1e6, 0.7, SizingContext(equity_krw=1e6, kyle_lambda=lam))
    big = max(lams) * 2
    assert k.size_krw(1e6, 0.7, SizingContext(equity_krw=1e6, kyle_lambda=big)) == 60_000
    assert k.size_krw(1e6, 0.7, SizingContext(equity_krw=1e6, kyle_lambda=min(lams))) == 100_000


def test_never_below_minimum_nor_above_balance():
    k = build(initial_fraction=0.10)
    assert k.size_krw(40_000, 0.7, SizingContext(equity_krw=40_000)) == 0          # 4,000 < 5,000
    assert k.size_krw(10_000, 0.7, SizingContext(equity_krw=1e6)) == 9_995          # cash caps it


def test_state_round_trip(real_returns):
    k = build()
    for x in real_returns[:120]:
        k.record_trade(x)
    k2 = build()
    k2.set_state(k.get_state())
    for x in real_returns[120:150]:
        k.record_trade(x)
        k2.record_trade(x)
    assert k2.fraction == k.fraction and not math.isnan(k.fraction)


@given(st.floats(0, 1e9), st.floats(0, 1e9), st.floats(0, 1), st.floats(0, 1),
       st.sampled_from(["majors", "alts", "emerging"]))
def test_size_is_zero_or_a_valid_affordable_order(balance, equity, vpin, fraction, cls):
    k = build()
    k.fraction = fraction * 0.35
    size = k.size_krw(balance, 0.7, SizingContext(market_class=cls, equity_krw=equity, vpin=vpin))
    assert size == 0 or (size >= MIN_ORDER_KRW and size * (1 + FEE_RATE_KRW) <= balance)
    assert size <= equity * {"majors": 0.12, "alts": 0.08, "emerging": 0.08}[cls] + 1e-6
