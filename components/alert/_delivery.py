"""Shared machinery of the HTTP alert channels (registers nothing): one delivery attempt, Retry-After, and the
log filter that keeps webhook URLs and bot tokens out of every log record."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

LEVELS = {"info": 0, "warning": 1, "critical": 2}
REDACTED = "<secret redacted>"


@dataclass(frozen=True, slots=True)
class Attempt:
    """Outcome of one delivery try. `retry`: worth trying again (429, 5xx, network); `retry_after_s`: the
    server's own wait (429 Retry-After), None when it gave none; `error`: type or status only, never a URL."""
    ok: bool
    retry: bool = False
    retry_after_s: float | None = None
    error: str = ""


class _Redact(logging.Filter):
    """httpx logs every request URL at INFO; webhook URLs and Telegram bot tokens (part of the URL path) are
    secrets, so they are replaced before any handler sees the record. It only ever redacts."""

    def __init__(self) -> None:
        super().__init__("redact-alert-secrets")
        self.secrets: set[str] = set()

    def scrub(self, text: str) -> str:
        for sec in self.secrets:
            if sec in text:
                text = text.replace(sec, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                text = record.getMessage()
            except Exception:          # a malformed record is not ours to fix
                return True
            clean = self.scrub(text)
            if clean != text:
                record.msg, record.args = clean, ()
        return True


REDACT = _Redact()
# Logger filters do not apply to records of child loggers, so every logger that may see a request is named.
_GUARDED = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
            "scalp.alert")


def guard(*secrets: str) -> None:
    """Redact these values (a URL, a token) from every log record of httpx/httpcore and scalp.alert."""
    new = {s for s in secrets if s and len(s) >= 6 and s not in REDACT.secrets}
    if not new:
        return
    REDACT.secrets.update(new)
    for name in _GUARDED:
        lg = logging.getLogger(name)
        if REDACT not in lg.filters:
            lg.addFilter(REDACT)


def scrub(text: str) -> str:
    """`text` with every guarded secret replaced (for error strings that leave the channel)."""
    return REDACT.scrub(text)


def retry_after_s(resp: Any) -> float | None:
    """Seconds the server asks us to wait: the Retry-After header (seconds or HTTP date), else the JSON body's
    `retry_after` (Discord) or `parameters.retry_after` (Telegram)."""
    raw = resp.headers.get("retry-after")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                from datetime import datetime, timezone
                return max(0.0, (parsedate_to_datetime(raw) - datetime.now(timezone.utc)).total_seconds())
            except (TypeError, ValueError):
                pass
    try:
        body = resp.json()
    except Exception:              # not JSON: no hint
        return None
    if isinstance(body, dict):
        val = body.get("retry_after", (body.get("parameters") or {}).get("retry_after"))
        if isinstance(val, (int, float)) and val >= 0:
            return float(val)
    return None


def post_json(url: str, body: dict, timeout_s: float) -> Attempt:
    """One POST; never raises, never puts the URL into the result (httpx error texts may contain it)."""
    import httpx  # lazily: `scalp validate` never needs it
    try:
        resp = httpx.post(url, json=body, timeout=timeout_s)
    except httpx.HTTPError as e:
        return Attempt(False, retry=True, error=type(e).__name__)
    if resp.status_code < 300:
        return Attempt(True)
    code = resp.status_code
    wait = retry_after_s(resp) if code == 429 else None
    return Attempt(False, retry=code == 429 or code >= 500, retry_after_s=wait, error=f"HTTP {code}")


def send_with_retries(channel: Any, message: str, level: str, fields: dict | None, what: str, env_name: str) -> bool:
    """The blocking `send` of an HTTP channel: its `attempt` retried `p.retries` times with doubling waits (a 429's
    Retry-After, capped at 10 s, when given). Used outside the dispatcher only: the caller waits here."""
    import time
    if not channel.wants(level):
        return False
    delay = channel.p.backoff_s
    for n in range(channel.p.retries + 1):
        res = channel.attempt(message, level, fields)
        channel.last_error = res.error
        if res.ok:
            return True
        if not res.retry or n == channel.p.retries:
            break
        time.sleep(delay if res.retry_after_s is None else min(res.retry_after_s, 10.0))
        delay *= 2
    logging.getLogger("scalp.alert").warning("%s alert not sent (%s via %s)", what, channel.last_error, env_name)
    return False
