"""Every Upbit error name maps to its own exception class; status-only replies map by status."""
import pytest

from components.types.upbit import errors as E

NAMES_400 = ["create_ask_error", "create_bid_error", "insufficient_funds_ask", "insufficient_funds_bid",
             "under_min_total_ask", "under_min_total_bid", "invalid_price_ask", "invalid_price_bid",
             "invalid_volume_ask", "invalid_volume_bid", "validation_error", "withdraw_address_not_registered",
             "invalid_parameter", "invalid_time_in_force", "invalid_post_only", "duplicated_identifier",
             "over_krw_funds_bid", "market_offline", "notfoundmarket", "not_supported_ord_type",
             "volume_too_large", "invalid_funds", "thirdparty_agreement_required"]
NAMES_401 = ["invalid_query_payload", "jwt_verification", "expired_access_key", "nonce_used",
             "no_authorization_ip", "no_authorization_i_p", "no_authorization_token", "invalid_access_key",
             "out_of_scope"]


@pytest.mark.parametrize("name", NAMES_400 + NAMES_401 + ["order_not_found"])
def test_each_name_has_its_exception(name):
    status = 401 if name in NAMES_401 else (404 if name == "order_not_found" else 400)
    err = E.error_from_response(status, {"error": {"name": name, "message": "msg"}})
    assert type(err) is E.ERRORS[name]
    assert err.error_name == name and err.status == status and err.message == "msg"
    base = E.AuthenticationError if name in NAMES_401 else (E.OrderNotFound if name == "order_not_found"
                                                             else E.BadRequest)
    assert isinstance(err, base)
    assert len({E.ERRORS[n] for n in NAMES_400 + NAMES_401}) == len(NAMES_400 + NAMES_401)


def test_status_fallbacks_and_plain_text_bodies():
    assert isinstance(E.error_from_response(429, None, "Too many API requests."), E.RateLimited)
    assert isinstance(E.error_from_response(418, {"error": {"name": "x", "message": "blocked"}}), E.Blocked)
    q = E.error_from_response(404, {"error": {"name": 404, "message": "Code not found"}})
    assert isinstance(q, E.NotFound) and q.error_name == "404"
    assert isinstance(E.error_from_response(503, None, "maintenance"), E.ServerError)
    unknown = E.error_from_response(400, {"error": {"name": "brand_new_name", "message": "?"}})
    assert isinstance(unknown, E.BadRequest) and unknown.error_name == "brand_new_name"
