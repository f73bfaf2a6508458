"""Fixed KRW sizing: the amount, capped to the fee-inclusive balance; config errors name the key."""
import pytest

import components.sizing.fixed_krw  # noqa: F401
import registry
from components.types.costs import UPBIT_FEE_RATE as FEE_RATE_KRW


def test_fixed_amount_and_fee_cap():
    sizer = registry.build("sizing", {"component": "fixed_krw", "amount_krw": 20_000}, path="sizing")
    assert sizer.size_krw(balance_krw=1_000_000, confidence=0.1) == 20_000
    capped = sizer.size_krw(balance_krw=12_000, confidence=0.9)
    assert capped == 11_994 and capped * (1 + FEE_RATE_KRW) <= 12_000
    assert sizer.size_krw(balance_krw=5_001, confidence=0.9) == 0


def test_min_confidence_gates():
    sizer = registry.build("sizing", {"component": "fixed_krw", "min_confidence": 0.6}, path="sizing")
    assert sizer.size_krw(balance_krw=1e6, confidence=0.59) == 0
    assert sizer.size_krw(balance_krw=1e6, confidence=0.6) == 10_000


def test_rejects_amount_below_exchange_minimum_and_names_the_key():
    with pytest.raises(registry.ConfigError, match=r"sizing\.amount_krw  .*greater than or equal to 5000"):
        registry.build("sizing", {"component": "fixed_krw", "amount_krw": 100}, path="sizing")
