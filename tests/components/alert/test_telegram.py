"""Telegram alerts against a fake Bot API on 127.0.0.1: sendMessage body, env-only token/chat id, 429 with
retry_after, and the token (part of the URL path) never in logs, errors or the params."""
import logging
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import components.alert.telegram  # noqa: F401
import registry

TOKEN = "123456:AAF-telegram-s3cr3t-token"


def build(base_url, **kw):
    node = {"component": "telegram", "token_env": "SCALP_TEST_TG_TOKEN", "chat_id_env": "SCALP_TEST_TG_CHAT",
            "base_url": base_url, "backoff_s": 0.01, **kw}
    return registry.build("alert", node, path="alerts.telegram")


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("SCALP_TEST_TG_TOKEN", TOKEN)
    monkeypatch.setenv("SCALP_TEST_TG_CHAT", "-100777")


def test_send_message_body_and_path(endpoint, env, caplog):
    caplog.set_level(logging.DEBUG)                                    # httpx logs every request URL at INFO
    ep = endpoint()
    alert = build(ep.base_url + "/", min_level="warning")
    assert alert.send("kill switch daily_loss -> block_entries", level="critical", fields={"switch": "daily_loss"})
    assert not alert.send("fyi", level="info")                         # below min_level (warning)
    (path, body, _), = ep.posts
    assert path == f"/bot{TOKEN}/sendMessage"
    assert body == {"chat_id": "-100777", "disable_web_page_preview": True,
                    "text": "[CRITICAL] kill switch daily_loss -> block_entries\nswitch: daily_loss"}
    assert "HTTP Request: POST" in caplog.text and TOKEN not in caplog.text
    assert "<secret redacted>" in caplog.text


def test_429_retry_after_is_a_retry_with_the_servers_wait(endpoint, env):
    ep = endpoint(script=[(429, {}, {"ok": False, "error_code": 429, "parameters": {"retry_after": 0.3}}),
                          (429, {"Retry-After": "0"}, {"ok": False})])
    alert = build(ep.base_url)
    res = alert.attempt("x")
    assert not res.ok and res.retry and res.retry_after_s == 0.3 and res.error == "HTTP 429"
    res = alert.attempt("x")
    assert res.retry and res.retry_after_s == 0.0                     # the header wins over the body
    assert alert.attempt("x").ok
    bad = endpoint(script=[400])
    res = build(bad.base_url).attempt("x")
    assert not res.ok and not res.retry and res.error == "HTTP 400"   # a refusal is not retried


def test_missing_env_and_unreachable_never_leak(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("SCALP_TEST_TG_TOKEN", raising=False)
    monkeypatch.delenv("SCALP_TEST_TG_CHAT", raising=False)
    res = build("http://127.0.0.1:9").attempt("x")
    assert not res.retry and res.error == ("environment variable SCALP_TEST_TG_TOKEN and SCALP_TEST_TG_CHAT "
                                           "is not set")
    monkeypatch.setenv("SCALP_TEST_TG_TOKEN", TOKEN)
    monkeypatch.setenv("SCALP_TEST_TG_CHAT", "1")
    alert = build("http://127.0.0.1:9", retries=1, timeout_s=0.5)     # port 9: nobody listens
    assert not alert.send("down") and alert.last_error == "ConnectError"
    assert TOKEN not in caplog.text and "SCALP_TEST_TG_TOKEN" in caplog.text
    assert TOKEN not in repr(alert.p) and TOKEN not in str(alert.p.model_dump())


def test_yaml_builds_and_bad_values_name_the_key():
    conf = Path(__file__).resolve().parents[3] / "conf" / "alerts" / "telegram.yaml"
    node = OmegaConf.to_container(OmegaConf.load(conf))
    assert registry.validate("alert", node, path="alerts", many=True) == []
    with pytest.raises(registry.ConfigError, match=r"alerts\.telegram\.token_env"):
        build("http://x", token_env="not a name")
    with pytest.raises(registry.ConfigError, match=r"alerts\.telegram\.base_url"):
        build("ftp://x")
