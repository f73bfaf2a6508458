"""Upbit JWT signing and verification with query_hash (UPBIT_API.md §4); shared by client and local server."""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlencode

import warnings

import jwt

try:
    from jwt.warnings import InsecureKeyLengthWarning
except ImportError:  # older PyJWT has no key-length warning
    InsecureKeyLengthWarning = UserWarning


def _quiet(fn, *args, **kwargs):
    # Upbit issues 40-character secrets; PyJWT's key-length advice cannot be acted on by a client.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return fn(*args, **kwargs)

ALGORITHMS = ("HS256", "HS512")


def _pairs(params: Mapping | Iterable[tuple[str, object]]) -> list[tuple[str, object]]:
    items = params.items() if isinstance(params, Mapping) else list(params)
    out: list[tuple[str, object]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            # Arrays go out as repeated `key[]=v` (the caller may already have named the key `states[]`).
            name = key if key.endswith("[]") else f"{key}[]"
            out.extend((name, _text(v)) for v in value)
        else:
            out.append((key, _text(value)))
    return out


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_params(params: Mapping | Iterable[tuple[str, object]]) -> str:
    """The URL-encoded query string sent on the wire (keys' `[]` left as is)."""
    return urlencode(_pairs(params), doseq=True).replace("%5B%5D=", "[]=")


def hash_string(params: Mapping | Iterable[tuple[str, object]]) -> str:
    """The string that is hashed: `k=v&k[]=v1&k[]=v2` in the given order, NOT percent-encoded (§4.2).
    Used for GET/DELETE query parameters and for POST JSON bodies alike (never the JSON text)."""
    return unquote(urlencode(_pairs(params), doseq=True))


def query_hash(text: str) -> str:
    return hashlib.sha512(text.encode("utf-8")).hexdigest()


def make_token(access_key: str, secret_key: str, params=None, algorithm: str = "HS512",
               nonce: str | None = None) -> str:
    """A signed JWT for one request: fresh UUID nonce, query_hash iff there are params (§4.1)."""
    payload: dict[str, str] = {"access_key": access_key, "nonce": nonce or str(uuid.uuid4())}
    pairs = _pairs(params) if params else []
    if pairs:
        payload["query_hash"] = query_hash(hash_string(pairs))
        payload["query_hash_alg"] = "SHA512"
    return _quiet(jwt.encode, payload, secret_key, algorithm=algorithm)


class AuthError(Exception):
    """JWT rejected: `name` is the Upbit error name (no_authorization_token, jwt_verification, ...)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


def verify_token(authorization: str | None, secrets: Mapping[str, str], seen_nonces: set[tuple[str, str]],
                 hash_candidates: Iterable[str] = ()) -> dict:
    """Server side of §4.5. Returns the payload; raises AuthError with the Upbit error name.

    hash_candidates: strings whose SHA-512 may match `query_hash` (the unquoted query, the raw query,
    the body's k=v form); empty means the request carried no params."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthError("no_authorization_token", "Authorization header is missing.")
    token = authorization[len("Bearer "):].strip()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise AuthError("jwt_verification", "Jwt 토큰 검증에 실패했습니다.") from None
    if header.get("alg") not in ALGORITHMS:
        raise AuthError("jwt_verification", "Jwt 토큰 검증에 실패했습니다.")
    access = claims.get("access_key")
    if access not in secrets:
        raise AuthError("invalid_access_key", "잘못된 엑세스 키입니다.")
    try:
        _quiet(jwt.decode, token, secrets[access], algorithms=list(ALGORITHMS))
    except jwt.PyJWTError:
        raise AuthError("jwt_verification", "Jwt 토큰 검증에 실패했습니다.") from None
    nonce = claims.get("nonce")
    if not nonce:
        raise AuthError("invalid_query_payload", "nonce is missing.")
    if (access, str(nonce)) in seen_nonces:
        raise AuthError("nonce_used", "이미 요청한 nonce값이 다시 사용되었습니다.")
    candidates = [c for c in hash_candidates if c]
    if candidates:
        given = claims.get("query_hash")
        if not given or given not in {query_hash(c) for c in candidates}:
            raise AuthError("invalid_query_payload", "query_hash가 요청과 일치하지 않습니다.")
    seen_nonces.add((access, str(nonce)))
    return claims
