"""Webhook alerts against a tiny local HTTP server on 127.0.0.1: payload shapes, retries, timeout, and the
URL (which carries the webhook token) never appearing in logs or errors."""
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import components.alert.webhook  # noqa: F401
import registry

TOKEN = "s3cr3t-webhook-token"


class Hook:
    """Records JSON bodies; answers statuses from a script (then 204); optional delay."""

    def __init__(self, statuses=(), delay_s=0.0):
        self.bodies, self.statuses, self.delay_s = [], list(statuses), delay_s
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.bodies.append((self.path, self.headers["Content-Type"], json.loads(body)))
                time.sleep(hook.delay_s)
                self.send_response(hook.statuses.pop(0) if hook.statuses else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/webhooks/1/{TOKEN}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    made = []

    def make(**kw):
        h = Hook(**kw)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def build(**kw):
    node = {"component": "webhook", "url_env": "SCALP_TEST_WEBHOOK", "backoff_s": 0.01, **kw}
    return registry.build("alert", node, path="alerts.webhook")


def test_discord_and_slack_payloads(hook, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)                                   # httpx logs every request URL at INFO
    h = hook()
    monkeypatch.setenv("SCALP_TEST_WEBHOOK", h.url)
    assert build().send("kill switch max_drawdown -> halt", level="critical", fields={"switch": "max_drawdown"})
    assert build(style="slack").send("daily loss", level="warning")
    (p1, ct1, b1), (_, _, b2) = h.bodies
    assert p1.endswith(TOKEN) and ct1 == "application/json"
    assert b1 == {"content": "[CRITICAL] kill switch max_drawdown -> halt (switch=max_drawdown)"}
    assert b2 == {"text": "[WARNING] daily loss"}
    assert not build().send("just info", level="info")              # below min_level: not sent
    assert len(h.bodies) == 2
    assert "HTTP Request: POST" in caplog.text and TOKEN not in caplog.text


def test_retries_on_5xx_and_429_but_not_on_4xx(hook, monkeypatch):
    h = hook(statuses=[500, 429])
    monkeypatch.setenv("SCALP_TEST_WEBHOOK", h.url)
    assert build(retries=2).send("x")
    assert len(h.bodies) == 3
    h2 = hook(statuses=[404])
    monkeypatch.setenv("SCALP_TEST_WEBHOOK", h2.url)
    alert = build(retries=2)
    assert not alert.send("x") and alert.last_error == "HTTP 404" and len(h2.bodies) == 1


def test_timeout_and_unreachable_never_leak_the_url(hook, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    h = hook(delay_s=1.0)
    monkeypatch.setenv("SCALP_TEST_WEBHOOK", h.url)
    alert = build(timeout_s=0.2, retries=0)
    t0 = time.monotonic()
    assert not alert.send("slow")
    assert time.monotonic() - t0 < 0.9 and alert.last_error == "ReadTimeout"
    with socket.socket() as s:                                        # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SCALP_TEST_WEBHOOK", f"http://127.0.0.1:{port}/api/webhooks/1/{TOKEN}")
    alert = build(retries=1)
    assert not alert.send("down") and alert.last_error == "ConnectError"
    assert TOKEN not in caplog.text and "SCALP_TEST_WEBHOOK" in caplog.text
    assert TOKEN not in repr(alert.p)


def test_missing_env_is_a_clear_no_send(monkeypatch):
    monkeypatch.delenv("SCALP_TEST_WEBHOOK", raising=False)
    alert = build()
    assert not alert.send("x") and alert.last_error == "environment variable SCALP_TEST_WEBHOOK is not set"


def test_yaml_builds_and_bad_style_names_the_key():
    conf = Path(__file__).resolve().parents[3] / "conf" / "alerts" / "webhook.yaml"
    node = OmegaConf.to_container(OmegaConf.load(conf))
    assert registry.validate("alert", node, path="alerts", many=True) == []
    with pytest.raises(registry.ConfigError, match=r"alerts\.webhook\.style  String should match pattern"):
        build(style="teams")
