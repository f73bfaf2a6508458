"""The dispatcher against a fake webhook on 127.0.0.1: post never blocks, bursts are coalesced, overflow is
counted, retries back off and honour 429 Retry-After, and a close delivers what is queued within drain_s."""
import json
import logging
import time

import pytest

import registry
from engine.alerts.dispatcher import Dispatcher
from engine.alerts.events import make
from engine.settings import AlertSettings

TOKEN = "hook-s3cr3t-0123456789"
_MADE: list[Dispatcher] = []


@pytest.fixture(autouse=True)
def _dispatchers_closed():
    """Every dispatcher a test started is closed after it, passed or failed: a lane left running reads the
    webhook URL from the same env variable the next test points at its own endpoint, and posts into it."""
    yield
    while _MADE:
        _MADE.pop().close(drain_s=0.0)


def webhook(ep, monkeypatch, var="SCALP_TEST_DISPATCH_HOOK"):
    monkeypatch.setenv(var, f"{ep.base_url}/api/webhooks/1/{TOKEN}")
    return registry.build("alert", {"component": "webhook", "url_env": var, "min_level": "info"},
                          path="alerts.webhook")


def dispatcher(channels, **kw):
    d = Dispatcher(channels, AlertSettings(**{"backoff_s": 0.05, "drain_s": 2.0, **kw})).start()
    _MADE.append(d)
    return d


def texts(ep):
    return [b["content"] for b in ep.bodies()]


def test_post_never_waits_for_a_slow_endpoint(endpoint, monkeypatch):
    ep = endpoint(delay_s=5.0)
    d = dispatcher({"webhook": webhook(ep, monkeypatch)}, burst=100, rate_per_min=600)
    t0 = time.perf_counter()
    for i in range(50):
        d.post(make("error", "warning", f"alert {i}"))
    # 50 posts: queued, nothing sent on this thread. Posting through the endpoint would take its 5 s answer
    # at least once; the bound is that answer, not an idle machine's microseconds (a loaded one took 2.8 s)
    assert time.perf_counter() - t0 < 5.0
    assert ep.wait_for(1, 3.0)
    d.close(drain_s=0.1)


TOKEN_S = 5.0       # one token per 5 s: sends slowed by a loaded machine refill no token before the third


def test_a_burst_beyond_the_bucket_is_coalesced_into_one_message(endpoint, monkeypatch):
    ep = endpoint()
    d = dispatcher({"webhook": webhook(ep, monkeypatch)}, burst=3, rate_per_min=60 / TOKEN_S)   # 3 at once, then 1/5 s
    for i in range(10):
        d.post(make("error", "warning", f"alert {i}"))
    assert ep.wait_for(3, 10.0)
    at = [x for _, _, x in ep.posts]
    assert at[2] - at[0] < TOKEN_S                            # the burst goes out at once: no wait for a token
    time.sleep(0.3)
    got = texts(ep)
    assert got[:2] == ["[WARNING] alert 0", "[WARNING] alert 1"]
    assert len(got) == 3 and got[2].startswith("[WARNING] 8 alerts:")   # the bucket's last token takes the rest
    assert [line[2:] for line in got[2].splitlines()[1:]] == [f"alert {i}" for i in range(2, 10)]
    d.post(make("error", "critical", "alert 10"))             # bucket empty: waits for the next token
    assert ep.wait_for(4, 4 * TOKEN_S)
    at = [x for _, _, x in ep.posts]
    assert 0.8 * TOKEN_S < at[3] - at[0] < 3 * TOKEN_S          # a token refilled: one period after the burst
    assert texts(ep)[3] == "[CRITICAL] alert 10"
    assert d.close()["webhook"] == {"queued": 11, "sent": 4, "failed": 0, "dropped": 0, "coalesced": 7,
                                    "retries": 0}


def test_a_full_queue_drops_and_the_next_message_counts_the_drops(endpoint, monkeypatch):
    ep = endpoint(delay_s=0.5)
    d = dispatcher({"webhook": webhook(ep, monkeypatch)}, queue_size=3, burst=100)
    d.post(make("error", "critical", "alert 0"))
    assert ep.wait_for(1, 2.0)             # the lane is inside the slow request now
    for i in range(1, 10):                 # 3 wait, 6 find the queue full
        d.post(make("error", "critical", f"alert {i}"))
    stats = d.close(drain_s=5.0)["webhook"]
    assert stats["dropped"] == 6 and stats["sent"] == 4
    assert texts(ep) == ["[CRITICAL] alert 0", "[CRITICAL] alert 1\n(6 alerts dropped: queue full)",
                         "[CRITICAL] alert 2", "[CRITICAL] alert 3"]


def test_retries_back_off_and_honour_retry_after(endpoint, monkeypatch):
    # seconds, not tenths: a loaded machine oversleeps by tenths (0.77 s for a 0.1 s backoff), which blurred
    # "backoff" against "doubled backoff" against "Retry-After"
    ep = endpoint(script=[500, (429, {"Retry-After": "3"}, {"message": "rate limited"}), 200])
    d = dispatcher({"webhook": webhook(ep, monkeypatch)}, retries=3, backoff_s=1.0)
    d.post(make("killswitch_trip", "critical", "kill switch daily_loss -> halt"))
    assert ep.wait_for(3, 15.0)
    t = [at for _, _, at in ep.posts]
    assert 1.0 <= t[1] - t[0] < 2.0                          # first backoff (the doubled one would be 2 s)
    assert 3.0 <= t[2] - t[1] < 5.0                          # the server's Retry-After, not the doubled 2 s
    assert d.close()["webhook"]["sent"] == 1


def test_a_dead_endpoint_is_given_up_with_a_clean_log_line(endpoint, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    ep = endpoint(script=[503] * 10)
    d = dispatcher({"webhook": webhook(ep, monkeypatch)}, retries=2, backoff_s=0.02)
    d.post(make("error", "warning", "x"))
    stats = d.close(drain_s=3.0)["webhook"]
    assert stats["failed"] == 1 and len(ep.posts) == 3
    failed = [json.loads(r.getMessage()) for r in caplog.records if "alert_failed" in r.getMessage()]
    assert failed == [{"event": "alert_failed", "channel": "webhook", "alert": "error", "error": "HTTP 503",
                       "attempts": 3}]
    assert TOKEN not in caplog.text


def test_close_delivers_the_last_alert_and_gives_up_at_the_deadline(endpoint, monkeypatch):
    ep = endpoint()
    d = dispatcher({"webhook": webhook(ep, monkeypatch)})
    d.post(make("session_stop", "info", "session stopped"))
    d.close()
    assert texts(ep) == ["[INFO] session stopped"]
    slow = endpoint(script=[500] * 10)
    d = dispatcher({"webhook": webhook(slow, monkeypatch)}, retries=10, backoff_s=1.0)
    d.post(make("error", "warning", "x"))
    t0 = time.monotonic()
    d.close(drain_s=0.5)
    assert time.monotonic() - t0 < 1.5                        # the drain time bounds the stop, not the retries


def test_level_filter_per_channel(endpoint, monkeypatch):
    ep_info, ep_warn = endpoint(), endpoint()
    info = webhook(ep_info, monkeypatch, "SCALP_TEST_DISPATCH_A")
    warn = registry.build("alert", {"component": "webhook", "url_env": "SCALP_TEST_DISPATCH_B"}, path="alerts.w")
    monkeypatch.setenv("SCALP_TEST_DISPATCH_B", f"{ep_warn.base_url}/b/{TOKEN}")
    d = dispatcher({"a": info, "b": warn})
    d.post(make("session_start", "info", "started"))
    d.post(make("killswitch_trip", "critical", "tripped"))
    d.close()
    assert texts(ep_info) == ["[INFO] started", "[CRITICAL] tripped"]
    assert texts(ep_warn) == ["[CRITICAL] tripped"]
