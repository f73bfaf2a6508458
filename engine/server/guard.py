"""Request plumbing of the server: params from query/form/JSON, JWT check inputs, per-group rate limits + 418."""
from __future__ import annotations

import json
import time
from collections import deque
from urllib.parse import parse_qsl, unquote

from components.types.upbit.auth import hash_string
from components.types.upbit.limiter import DEFAULT_LIMITS

SERVER_LIMITS = dict(DEFAULT_LIMITS)  # order group 12/s (since 2026-08-21); override with rate_limits.order=[8,1]
LEGACY_MIN = {"default": 1800, "order": 200}          # deprecated `min` field, fixed values (§5.1)


def _add(params: dict, key: str, value) -> None:
    if key.endswith("[]"):
        params.setdefault(key, []).append(value)
    else:
        params[key] = value


def collect_params(raw_query: str, body: bytes, content_type: str) -> tuple[dict, list[str]]:
    """All request params (query string, form body and JSON body: pyupbit sends GET params as a form body)
    and the strings whose SHA-512 may be the JWT query_hash (unquoted and raw forms, §4.5)."""
    params: dict = {}
    candidates: list[str] = []
    if raw_query:
        for k, v in parse_qsl(raw_query, keep_blank_values=True):
            _add(params, k, v)
        candidates += [unquote(raw_query), raw_query]
    if body:
        text = body.decode("utf-8", "replace")
        if "json" in content_type or text.lstrip().startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                pairs = []
                for k, v in obj.items():
                    if v is None:
                        continue
                    if isinstance(v, list):
                        key = k if k.endswith("[]") else f"{k}[]"
                        params[key] = [str(x) for x in v]
                    else:
                        params[k] = v if isinstance(v, str) else json.dumps(v)
                    pairs.append((k, v))
                candidates.append(hash_string(pairs))
        else:
            for k, v in parse_qsl(text, keep_blank_values=True):
                _add(params, k, v)
            candidates += [unquote(text), text, text.replace("%5B%5D=", "[]=")]
    # Accept the pyupbit legacy camelCase spellings too.
    if "isDetails" in params and "is_details" not in params:
        params["is_details"] = params["isDetails"]
    return params, candidates


class ServerLimiter:
    """Per (client, group) sliding one-window budget; sustained 429s escalate to a 418 block."""

    def __init__(self, overrides: dict[str, list[float]] | None, block_after_429s: int, block_s: float) -> None:
        self.limits = dict(SERVER_LIMITS)
        for g, (n, w) in (overrides or {}).items():
            self.limits[g] = (int(n), float(w))
        self.block_after, self.block_s = block_after_429s, block_s
        self._hits: dict[tuple[str, str], deque] = {}
        self._strikes: dict[str, deque] = {}
        self._blocked: dict[str, float] = {}

    def header(self, group: str, left: int) -> str:
        legacy = LEGACY_MIN.get(group, 600)
        return f"group={'candles' if group == 'candle' else group}; min={legacy}; sec={max(0, left)}"

    def check(self, client: str, group: str, now: float | None = None) -> tuple[int, int, float]:
        """-> (status 200|429|418, remaining this window, block seconds left)."""
        now = time.monotonic() if now is None else now
        until = self._blocked.get(client, 0.0)
        if now < until:
            return 418, 0, until - now
        limit, window = self.limits.get(group, self.limits["default"])
        hits = self._hits.setdefault((client, group), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            strikes = self._strikes.setdefault(client, deque())
            strikes.append(now)
            while strikes and strikes[0] <= now - 10.0:
                strikes.popleft()
            if len(strikes) >= self.block_after:
                self._blocked[client] = now + self.block_s
                strikes.clear()
                return 418, 0, self.block_s
            return 429, 0, 0.0
        hits.append(now)
        return 200, limit - len(hits), 0.0
