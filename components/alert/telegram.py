"""Alert to a Telegram chat through the Bot API `sendMessage`; bot token and chat id come from the environment."""
from __future__ import annotations

import os

from pydantic import Field

from components.alert._delivery import LEVELS, Attempt, guard, post_json, send_with_retries
from registry import Params, register

MAX_CHARS = 4096            # Telegram refuses longer messages


@register("alert", "telegram")
class TelegramAlert:
    """POST `{"chat_id", "text"}` to `<base_url>/bot<token>/sendMessage` (plain text, no parse mode).

    The token is part of the URL path, so it is read from the environment variable `token_env` at send time,
    added to the log redaction before the first request, and never logged, printed or put into an error;
    `base_url` only moves the endpoint (a local fake in tests, a Bot API proxy)."""

    class Params(Params):
        token_env: str = Field("SCALP_TELEGRAM_BOT_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                               description="name of the environment variable holding the bot token")
        chat_id_env: str = Field("SCALP_TELEGRAM_CHAT_ID", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                 description="name of the environment variable holding the chat id")
        base_url: str = Field("https://api.telegram.org", pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
                              description="Bot API root (no token)")
        timeout_s: float = Field(5.0, gt=0, le=60, description="per-request timeout, seconds")
        retries: int = Field(2, ge=0, le=5, description="extra attempts on failure / 429 / 5xx (send only)")
        backoff_s: float = Field(0.5, ge=0, le=10, description="sleep before a retry, doubled each time (send only)")
        min_level: str = Field("info", pattern="^(info|warning|critical)$",
                               description="drop alerts below this level (info: start/stop, daily summary)")

    def __init__(self, p: "TelegramAlert.Params") -> None:
        self.p = p
        self.last_error = ""

    def wants(self, level: str) -> bool:
        return LEVELS.get(level, 1) >= LEVELS[self.p.min_level]

    def text(self, message: str, level: str, fields: dict | None) -> str:
        extra = "\n".join(f"{k}: {v}" for k, v in (fields or {}).items() if v not in (None, ""))
        text = f"[{level.upper()}] {message}" + (f"\n{extra}" if extra else "")
        return text[:MAX_CHARS]

    def attempt(self, message: str, level: str = "warning", fields: dict | None = None) -> Attempt:
        """One sendMessage; a missing token or chat id is final (no retry can fix it)."""
        token = os.environ.get(self.p.token_env, "")
        chat = os.environ.get(self.p.chat_id_env, "")
        missing = [name for name, val in ((self.p.token_env, token), (self.p.chat_id_env, chat)) if not val]
        if missing:
            return Attempt(False, error=f"environment variable {' and '.join(missing)} is not set")
        guard(token)
        url = f"{self.p.base_url.rstrip('/')}/bot{token}/sendMessage"
        return post_json(url, {"chat_id": chat, "text": self.text(message, level, fields),
                               "disable_web_page_preview": True}, self.p.timeout_s)

    def send(self, message: str, level: str = "warning", fields: dict | None = None) -> bool:
        return send_with_retries(self, message, level, fields, "telegram", self.p.token_env)
