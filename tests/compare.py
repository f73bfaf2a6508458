"""Comparisons the store and fast-path tests share: stored values bit for bit, and a run's rows without ids."""
import math
import struct


def same_bits(a, b) -> bool:
    """Equal with the same types, NaN equal to NaN, floats bit for bit (so -0.0 != 0.0), dicts in key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_bits(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b))
    return a == b


def rows_of(store, table: str, run_id: int) -> list[dict]:
    """A run's rows of one trading table without their row id and run id (two runs compare row for row)."""
    return [{k: v for k, v in r.items() if k not in ("id", "run_id")} for r in store.records(table, run_id)]
