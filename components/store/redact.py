"""Redact secrets from a resolved config before it is stored (keys that name secrets, passwords in URLs)."""
from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(r"(secret|password|passwd|token|access_key|api_key|private_key|credential)", re.I)
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]+:)(?P<pw>[^@\s]+)(?P<tail>@)", re.I)
MASK = "***"


def redact(value: Any, key: str = "") -> Any:
    """A copy of `value` with secret-named keys masked and passwords inside URLs removed."""
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, key) for v in value]
    if key and SECRET_KEY.search(key) and value not in (None, ""):
        return MASK
    if hasattr(value, "get_secret_value"):
        return MASK
    if isinstance(value, str):
        return URL_PASSWORD.sub(lambda m: m.group("head") + MASK + m.group("tail"), value)
    return value
