"""The simulated exchange's order text (uuid, KST created_at, decimal strings) equals the library constructions
it replaces, on random and edge values."""
import math
import random
import uuid
from datetime import datetime
from decimal import Decimal

from components.exchange.sim_order import KST, iso_kst, uuid4_of
from components.types.tick import fmt


def _fmt_reference(x):
    s = format(Decimal(repr(round(float(x), 10))), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def test_uuid4_text_matches_uuid_module():
    rng = random.Random(1)
    for bits in [0, 2**128 - 1] + [rng.getrandbits(128) for _ in range(20000)]:
        assert uuid4_of(bits) == str(uuid.UUID(int=bits, version=4))


def test_kst_text_matches_datetime_isoformat():
    rng = random.Random(2)
    stamps = [rng.randrange(0, 2_000_000_000_000) for _ in range(20000)] + list(range(1_700_000_000_000 - 1500,
                                                                                       1_700_000_000_000 + 1500))
    for ts in stamps:
        dt = datetime.fromtimestamp(ts / 1000.0, tz=KST)
        assert iso_kst(ts) == dt.isoformat(timespec="seconds")
        assert iso_kst(ts, micro=True) == dt.isoformat(timespec="microseconds")


def test_fmt_matches_the_decimal_rendering():
    rng = random.Random(3)
    values = [0.0, -0.0, 1.0, 5000.0, 1e15, 1e16, 1.5e16, 1e-5, 1e-10, 1e-11, 0.1 + 0.2, 1e300, -1e-7,
              math.nan, math.inf, -math.inf, 7, "0.5"]
    for _ in range(20000):
        values.append(rng.choice([1, -1]) * 10 ** rng.uniform(-14, 20))
        values.append(rng.randrange(1, 10**8) / 10 ** rng.randrange(0, 12))
    for v in values:
        assert fmt(v) == _fmt_reference(v), v
    assert fmt(None) is None
