"""The spec's confidence-proportional sizing table (DESIGN §8), row by row, plus its edges."""
import pytest
from hypothesis import given, strategies as st

import components.sizing.confidence_proportional  # noqa: F401  (registers without importing every component)
import registry
from components.types.money import affordable_krw
from components.types.costs import CostModel
from components.types.costs import UPBIT_FEE_RATE as FEE_RATE_KRW
from components.types.orders import MIN_ORDER_KRW

TABLE = [  # balance, confidence, size — copied from DESIGN.md §8
    (1_000_000, 0.85, 850_000),
    (500_000, 0.75, 375_000),
    (50_000, 0.85, 42_500),
    (50_000, 0.62, 31_000),
    (80_000, 0.55, 0),
    (15_000, 0.95, 14_700),
    (15_000, 0.80, 14_700),
    (10_000, 0.60, 5_500),
    (4_999, 0.90, 0),
]


@pytest.mark.parametrize("balance, confidence, size", TABLE)
def test_every_row_of_the_spec_table(balance, confidence, size):
    sizer = registry.build("sizing", {"component": "confidence_proportional"}, path="sizing")
    assert sizer.size_krw(balance_krw=balance, confidence=confidence) == size


def test_never_more_than_the_balance_pays_with_the_fee():
    sizer = registry.build("sizing", {"component": "confidence_proportional"}, path="sizing")
    # c = 1.0 would be the whole balance; the buy fee must still fit
    size = sizer.size_krw(balance_krw=1_000_000, confidence=1.0)
    assert size * (1 + FEE_RATE_KRW) <= 1_000_000 < (size + 1) * (1 + FEE_RATE_KRW)
    # forced minimum 5,500 on a 5,200 balance: capped to what 5,200 pays, still >= 5,000
    size = sizer.size_krw(balance_krw=5_200, confidence=0.7)
    assert MIN_ORDER_KRW <= size <= 5_200 / (1 + FEE_RATE_KRW)


def test_small_account_share_under_the_minimum_is_raised_not_lost():
    sizer = registry.build("sizing", {"component": "confidence_proportional"}, path="sizing")
    # 98 % of 5,050 is 4,949 < 5,000: a confident signal takes the largest affordable order instead
    assert sizer.size_krw(balance_krw=5_050, confidence=0.9) == affordable_krw(5_050, CostModel())
    assert sizer.size_krw(balance_krw=5_001, confidence=0.9) == 0   # cannot pay 5,000 + fee


def test_threshold_is_config_and_names_the_key_when_inconsistent():
    sizer = registry.build("sizing", {"component": "confidence_proportional", "min_confidence": 0.5},
                           path="sizing")
    assert sizer.size_krw(balance_krw=80_000, confidence=0.55) == 44_000
    with pytest.raises(registry.ConfigError, match=r"^sizing  Value error, small_high_confidence must be >= "
                                                   r"min_confidence"):
        registry.build("sizing", {"component": "confidence_proportional", "min_confidence": 0.9},
                       path="sizing")


@given(st.floats(0, 1e9), st.floats(0, 1))
def test_size_is_zero_or_a_valid_affordable_order(balance, confidence):
    sizer = registry.build("sizing", {"component": "confidence_proportional"}, path="sizing")
    size = sizer.size_krw(balance_krw=balance, confidence=confidence)
    assert size == 0 or (size >= MIN_ORDER_KRW and size * (1 + FEE_RATE_KRW) <= balance)
    assert size == int(size)
