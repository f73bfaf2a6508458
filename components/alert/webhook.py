"""Alert to a Discord/Slack-compatible webhook: JSON POST via httpx; the URL comes from the environment."""
from __future__ import annotations

import os

from pydantic import Field

from components.alert._delivery import LEVELS, Attempt, guard, post_json, send_with_retries
from registry import Params, register


@register("alert", "webhook")
class WebhookAlert:
    """POST `{"content": text}` (discord) or `{"text": text}` (slack) to the URL in env var `url_env`.

    The URL embeds the webhook's secret token, so it is read from the environment at send time and never
    logged, printed or put into an error: failures are reported by exception type and status code only.
    `attempt` is one try (the session's dispatcher retries and rate-limits); `send` retries itself."""

    class Params(Params):
        url_env: str = Field("SCALP_ALERT_WEBHOOK_URL", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                             description="name of the environment variable holding the webhook URL")
        style: str = Field("discord", pattern="^(discord|slack)$", description="payload shape")
        timeout_s: float = Field(5.0, gt=0, le=60, description="per-request timeout, seconds")
        retries: int = Field(2, ge=0, le=5, description="extra attempts on failure / 429 / 5xx (send only)")
        backoff_s: float = Field(0.5, ge=0, le=10, description="sleep before a retry, doubled each time (send only)")
        min_level: str = Field("warning", pattern="^(info|warning|critical)$")

    def __init__(self, p: "WebhookAlert.Params") -> None:
        self.p = p
        self.last_error = ""

    def wants(self, level: str) -> bool:
        return LEVELS.get(level, 1) >= LEVELS[self.p.min_level]

    def payload(self, message: str, level: str, fields: dict | None) -> dict:
        extra = " ".join(f"{k}={v}" for k, v in (fields or {}).items() if v not in (None, ""))
        text = f"[{level.upper()}] {message}" + (f" ({extra})" if extra else "")
        return {"content": text[:2000]} if self.p.style == "discord" else {"text": text}

    def attempt(self, message: str, level: str = "warning", fields: dict | None = None) -> Attempt:
        """One POST; a missing URL is final (no retry can fix it)."""
        url = os.environ.get(self.p.url_env, "")
        if not url:
            return Attempt(False, error=f"environment variable {self.p.url_env} is not set")
        guard(url)
        return post_json(url, self.payload(message, level, fields), self.p.timeout_s)

    def send(self, message: str, level: str = "warning", fields: dict | None = None) -> bool:
        return send_with_retries(self, message, level, fields, "webhook", self.p.url_env)
