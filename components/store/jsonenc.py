"""json.dumps output (default options) from one prebuilt C encoder: the store's JSON columns encode per row."""
from __future__ import annotations

import json
from json import encoder as _enc
from typing import Any

# json.dumps builds a new C encoder for every call; the store encodes three JSON values per decision row.
# Same separators, ASCII escaping, NaN/Infinity and key order as json.dumps(o); no circular-reference check
# (store rows are trees), so the text is identical for every value json.dumps accepts.
_C = (_enc.c_make_encoder(None, json.JSONEncoder().default, _enc.encode_basestring_ascii, None, ": ", ", ",
                          False, False, True) if _enc.c_make_encoder is not None else None)


def json_dumps(obj: Any) -> str:
    if _C is None:
        return json.dumps(obj)
    return "".join(_C(obj, 0))
