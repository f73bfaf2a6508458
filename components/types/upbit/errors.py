"""Typed Upbit errors: one exception class per Upbit error name (UPBIT_API.md §6)."""
from __future__ import annotations


class UpbitError(Exception):
    """Any error answered by Upbit (or the local server): HTTP status, error name and message."""
    name = "upbit_error"

    def __init__(self, message: str = "", status: int = 0, name: str | None = None) -> None:
        super().__init__(f"{name or self.name} ({status}): {message}")
        self.status, self.message = status, message
        if name is not None:
            self.error_name = name
        else:
            self.error_name = self.name


class BadRequest(UpbitError):
    """400: the request was understood but refused (parameters, balance, tick grid)."""


class AuthenticationError(UpbitError):
    """401/403: key, token, nonce, query_hash or permission problem."""


class OrderNotFound(UpbitError):
    """404: unknown order uuid/identifier."""
    name = "order_not_found"


class NotFound(UpbitError):
    """404 from the quotation API (unknown market: integer name 404)."""


class RateLimited(UpbitError):
    """429: over a rate-limit group's per-second budget; back off before the next call."""
    name = "too_many_requests"


class Blocked(UpbitError):
    """418: temporarily blocked after continuing into 429s; stop calling."""
    name = "blocked"


class ServerError(UpbitError):
    """5xx: maintenance or system error (retryable for reads)."""


class RequestTimeout(UpbitError):
    """No answer in time: the request may or may not have been executed."""
    name = "timeout"


class MalformedResponse(UpbitError):
    """A 2xx reply whose body is not the JSON asked for: the request was processed, its answer is lost."""
    name = "malformed_response"


class OutcomeUnknown(UpbitError):
    """A create may have reached the exchange and its lookup by identifier did not settle it (yet)."""
    name = "outcome_unknown"


def _make(name: str, base: type, doc: str) -> type:
    cls_name = "".join(p.capitalize() for p in name.split("_"))
    return type(cls_name, (base,), {"name": name, "__doc__": doc})


_BAD = ["create_ask_error", "create_bid_error", "insufficient_funds_ask", "insufficient_funds_bid",
        "under_min_total_ask", "under_min_total_bid", "invalid_price_ask", "invalid_price_bid",
        "invalid_volume_ask", "invalid_volume_bid", "validation_error", "withdraw_address_not_registered",
        "invalid_parameter", "invalid_time_in_force", "invalid_post_only", "duplicated_identifier",
        "over_krw_funds_bid", "market_offline", "notfoundmarket", "not_supported_ord_type",
        "volume_too_large", "invalid_funds", "thirdparty_agreement_required", "market_does_not_exist",
        "order_already_closed"]
_AUTH = ["invalid_query_payload", "jwt_verification", "expired_access_key", "nonce_used",
         "no_authorization_ip", "no_authorization_i_p", "no_authorization_token", "invalid_access_key",
         "out_of_scope"]

ERRORS: dict[str, type[UpbitError]] = {"order_not_found": OrderNotFound}
for _n in _BAD:
    ERRORS[_n] = _make(_n, BadRequest, f"400 `{_n}` (UPBIT_API.md §6).")
for _n in _AUTH:
    ERRORS[_n] = _make(_n, AuthenticationError, f"401 `{_n}` (UPBIT_API.md §6).")
globals().update({cls.__name__: cls for cls in ERRORS.values()})


# 400 names that mean the exchange refused this create: nothing was placed by it. `duplicated_identifier`
# included: the engine sends each identifier once, so a reuse is a caller's mistake, refused as such.
NOT_PLACED = frozenset(_BAD)


def not_placed(exc: BaseException) -> bool:
    """True only for a definite refusal of a create (the order does not exist); anything else after the
    request may have left — timeout, 5xx, dropped connection, malformed body — is an unknown outcome,
    settled by looking the identifier up."""
    if isinstance(exc, (RateLimited, Blocked, AuthenticationError)):
        return True         # refused at the door (429/418 on the create itself, keys): never processed
    return isinstance(exc, BadRequest) and getattr(exc, "error_name", "") in NOT_PLACED


def error_from_response(status: int, body: object, text: str = "") -> UpbitError:
    """Map an HTTP error reply to its exception: by error name first (Upbit: branch on name, not status)."""
    name, message = None, text
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        name = body["error"].get("name")
        message = str(body["error"].get("message", text))
    if isinstance(name, str) and name in ERRORS:
        return ERRORS[name](message, status)
    if status == 429:
        return RateLimited(message, status)
    if status == 418:
        return Blocked(message, status)
    if status >= 500:
        return ServerError(message, status, str(name) if name is not None else "server_error")
    if status == 404:
        return NotFound(message, status, str(name) if name is not None else "404")
    if status in (401, 403):
        return AuthenticationError(message, status, str(name) if name is not None else "unauthorized")
    return BadRequest(message, status, str(name) if name is not None else str(status))
