"""JWT / query_hash vectors checked against UPBIT_API.md §4 (GET arrays, POST bodies, verification errors)."""
import hashlib
import uuid
import warnings
from urllib.parse import unquote, urlencode

import jwt
import pytest

from components.types.upbit.auth import AuthError, encode_params, hash_string, make_token, verify_token

ACCESS, SECRET = "test-access-key", "test-secret-key-that-is-long-enough-0001"


def _claims(token: str, alg: str = "HS512") -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.decode(token, SECRET, algorithms=[alg])


def test_get_with_states_array_hashes_the_unescaped_query():
    params = {"market": "KRW-BTC", "states[]": ["done", "cancel"]}
    assert hash_string(params) == "market=KRW-BTC&states[]=done&states[]=cancel"
    # §4.2 official recipe, computed independently.
    official = unquote(urlencode(params, doseq=True)).encode("utf-8")
    claims = _claims(make_token(ACCESS, SECRET, params))
    assert claims["query_hash"] == hashlib.sha512(official).hexdigest()
    assert claims["query_hash_alg"] == "SHA512" and claims["access_key"] == ACCESS
    assert str(uuid.UUID(claims["nonce"])) == claims["nonce"]
    # A plain list under a bare key is sent as key[]=v too.
    assert hash_string({"uuids": ["a", "b"]}) == "uuids[]=a&uuids[]=b"
    assert encode_params(params) == "market=KRW-BTC&states[]=done&states[]=cancel"


def test_post_body_hash_is_over_key_value_form_never_the_json_text():
    body = {"market": "KRW-BTC", "side": "bid", "volume": "0.01", "price": "100", "ord_type": "limit"}
    claims = _claims(make_token(ACCESS, SECRET, body))
    expected = hashlib.sha512(b"market=KRW-BTC&side=bid&volume=0.01&price=100&ord_type=limit").hexdigest()
    assert claims["query_hash"] == expected
    import json
    assert claims["query_hash"] != hashlib.sha512(json.dumps(body).encode()).hexdigest()


def test_times_are_encoded_on_the_wire_but_hashed_unescaped():
    params = {"market": "KRW-BTC", "start_time": "2024-10-01T00:00:00+09:00"}
    assert "%3A" in encode_params(params) and "%2B" in encode_params(params)
    assert hash_string(params) == "market=KRW-BTC&start_time=2024-10-01T00:00:00+09:00"


def test_no_params_no_query_hash_and_fresh_nonces_and_alg():
    t1, t2 = make_token(ACCESS, SECRET), make_token(ACCESS, SECRET)
    c1, c2 = _claims(t1), _claims(t2)
    assert "query_hash" not in c1 and set(c1) == {"access_key", "nonce"}
    assert c1["nonce"] != c2["nonce"]
    assert jwt.get_unverified_header(t1)["alg"] == "HS512"
    assert jwt.get_unverified_header(make_token(ACCESS, SECRET, algorithm="HS256"))["alg"] == "HS256"


def _verify(token, candidates=(), nonces=None):
    return verify_token(f"Bearer {token}", {ACCESS: SECRET}, set() if nonces is None else nonces, candidates)


def test_verification_errors_by_name():
    q = "market=KRW-BTC&states[]=done"
    good = make_token(ACCESS, SECRET, {"market": "KRW-BTC", "states[]": ["done"]})
    assert _verify(good, [q])["access_key"] == ACCESS
    cases = {
        "jwt_verification": (make_token(ACCESS, "wrong-secret-of-enough-length-000000000"), ()),
        "invalid_access_key": (make_token("nobody", SECRET), ()),
        "invalid_query_payload": (make_token(ACCESS, SECRET, {"market": "KRW-ETH"}), [q]),
    }
    for name, (token, cands) in cases.items():
        with pytest.raises(AuthError) as e:
            _verify(token, cands)
        assert e.value.name == name
    with pytest.raises(AuthError) as e:
        verify_token(None, {ACCESS: SECRET}, set())
    assert e.value.name == "no_authorization_token"
    with pytest.raises(AuthError) as e:
        _verify("not.a.jwt")
    assert e.value.name == "jwt_verification"
    nonces: set = set()
    token = make_token(ACCESS, SECRET, nonce="11111111-1111-1111-1111-111111111111")
    _verify(token, nonces=nonces)
    with pytest.raises(AuthError) as e:
        _verify(token, nonces=nonces)
    assert e.value.name == "nonce_used"


def test_pyupbit_and_ccxt_style_tokens_verify():
    # pyupbit: urlencode(...).replace("%5B%5D=", "[]=") and HS256 (§4.3).
    query = {"market": "KRW-BTC", "states[]": ["wait"]}
    pyu = urlencode(query, doseq=True).replace("%5B%5D=", "[]=")
    payload = {"access_key": ACCESS, "nonce": str(uuid.uuid4()), "query_hash_alg": "SHA512",
               "query_hash": hashlib.sha512(pyu.encode()).hexdigest()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = jwt.encode(payload, SECRET, algorithm="HS256")
    assert _verify(token, [pyu])["access_key"] == ACCESS
