"""Alert to a Discord/Slack-compatible webhook: JSON POST via httpx; the URL comes from the environment."""
from __future__ import annotations

import logging
import os
import time

from pydantic import Field

from registry import Params, register

log = logging.getLogger("scalp.alert")


class _RedactUrl(logging.Filter):
    """httpx logs every request URL at INFO; a webhook URL carries its token, so replace it before any
    handler sees the record. Installed once on the httpx/httpcore loggers; it only ever redacts."""

    def __init__(self) -> None:
        super().__init__("redact-webhook-url")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                text = record.getMessage()
            except Exception:          # a malformed record is not ours to fix
                return True
            if any(sec in text for sec in self.secrets):
                for sec in self.secrets:
                    text = text.replace(sec, "<webhook url redacted>")
                record.msg, record.args = text, ()
        return True


_REDACT = _RedactUrl()


def _guard(url: str) -> None:
    if url not in _REDACT.secrets:
        _REDACT.secrets.add(url)
        for name in ("httpx", "httpcore"):
            lg = logging.getLogger(name)
            if _REDACT not in lg.filters:
                lg.addFilter(_REDACT)


@register("alert", "webhook")
class WebhookAlert:
    """POST `{"content": text}` (discord) or `{"text": text}` (slack) to the URL in env var `url_env`.

    The URL embeds the webhook's secret token, so it is read from the environment at send time and never
    logged, printed or put into an error: failures are reported by exception type and status code only."""

    class Params(Params):
        url_env: str = Field("SCALP_ALERT_WEBHOOK_URL", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                             description="name of the environment variable holding the webhook URL")
        style: str = Field("discord", pattern="^(discord|slack)$", description="payload shape")
        timeout_s: float = Field(5.0, gt=0, le=60, description="per-request timeout, seconds")
        retries: int = Field(2, ge=0, le=5, description="extra attempts on failure / 429 / 5xx")
        backoff_s: float = Field(0.5, ge=0, le=10, description="sleep before a retry, doubled each time")
        min_level: str = Field("warning", pattern="^(info|warning|critical)$")

    _LEVELS = {"info": 0, "warning": 1, "critical": 2}

    def __init__(self, p: "WebhookAlert.Params") -> None:
        self.p = p
        self.last_error = ""

    def payload(self, message: str, level: str, fields: dict | None) -> dict:
        extra = " ".join(f"{k}={v}" for k, v in (fields or {}).items() if v not in (None, ""))
        text = f"[{level.upper()}] {message}" + (f" ({extra})" if extra else "")
        return {"content": text[:2000]} if self.p.style == "discord" else {"text": text}

    def send(self, message: str, level: str = "warning", fields: dict | None = None) -> bool:
        if self._LEVELS.get(level, 1) < self._LEVELS[self.p.min_level]:
            return False
        url = os.environ.get(self.p.url_env, "")
        if not url:
            self.last_error = f"environment variable {self.p.url_env} is not set"
            log.warning("webhook alert not sent: %s", self.last_error)
            return False
        import httpx  # lazily: `scalp validate` never needs it
        _guard(url)
        body = self.payload(message, level, fields)
        delay = self.p.backoff_s
        for attempt in range(self.p.retries + 1):
            try:
                resp = httpx.post(url, json=body, timeout=self.p.timeout_s)
                if resp.status_code < 300:
                    self.last_error = ""
                    return True
                self.last_error = f"HTTP {resp.status_code}"
                if resp.status_code != 429 and resp.status_code < 500:
                    break       # a 4xx other than 429 will not succeed on retry
            except httpx.HTTPError as e:   # str(e) may contain the URL: report the type only
                self.last_error = type(e).__name__
            if attempt < self.p.retries:
                time.sleep(delay)
                delay *= 2
        log.warning("webhook alert not sent (%s via %s)", self.last_error, self.p.url_env)
        return False
