"""Sim rejections raise the same typed Upbit errors as the live client (components/types/upbit/errors.py)."""
from __future__ import annotations

from typing import NoReturn

from components.types.upbit.errors import ERRORS, BadRequest, UpbitError

__all__ = ["UpbitError", "reject"]


def reject(name: str, message: str) -> NoReturn:
    """Raise Upbit's error `name` (HTTP 400, or 404 for order_not_found) with `message`."""
    cls = ERRORS.get(name)
    status = 404 if name == "order_not_found" else 400
    if cls is None:
        raise BadRequest(message, status, name)
    raise cls(message, status)
