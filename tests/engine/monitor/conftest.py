"""A paper session on the local exchange server with the monitor on a free port, run in a background thread."""
import threading
import time

import httpx
import pytest

ACCOUNTS = {name: (f"mon-{name}-access", f"mon-{name}-secret-0123456789abcdef0123") for name in ("live",)}
BASE = ["markets=[KRW-DAWN,KRW-STX,KRW-ADA]", "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]",
        "entry=prob_threshold", "towers.random_entry.entry_rate=0.5", "fill_model=queue_conservative", "ui.lang=en",
        "monitor.port=0"]


@pytest.fixture(scope="package")
def server(bundled_data):
    from tests.engine.live.conftest import capture_server, shared_capture
    srv = capture_server(shared_capture(bundled_data), ACCOUNTS.values())
    yield srv
    srv.stop()


@pytest.fixture
def make_cfg(server, tmp_path):
    """make_cfg("paper"|"live", *overrides) -> composed config on the local server, store in tmp_path."""
    from tests.engine.live.conftest import cfg_maker
    return cfg_maker(server, tmp_path, BASE)


class Session:
    """run_session on a thread; `url` once the monitor listens, `stop()` joins and returns the SessionResult."""

    def __init__(self, cfg, mode="paper", **kw):
        from engine.live.runner import run_session
        self.cfg, self.stop_event = cfg, threading.Event()
        self.result, self.error = None, None

        def run():
            try:
                self.result = run_session(cfg, mode, stop=self.stop_event, **kw)
            except BaseException as e:  # noqa: BLE001  re-raised in the test thread by stop()
                self.error = e
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        self.url = self._wait_url(cfg)

    def _wait_url(self, cfg, timeout_s=60.0):
        from engine.monitor.sessions import list_sessions, sessions_dir, url_of
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = list_sessions(sessions_dir(cfg))
            if found:
                return url_of(found[0])
            if not self.thread.is_alive():
                raise AssertionError(f"session ended before its monitor started: {self.error}")
            time.sleep(0.1)
        raise AssertionError("the monitor never wrote its session file")

    def get(self, path, **kw):
        return httpx.get(self.url + path, timeout=10, **kw)

    def wait_for(self, pred, timeout_s=60.0, what="condition"):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if pred():
                return
            assert self.thread.is_alive(), f"session ended early: {self.error}"
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def stop(self, timeout_s=60.0):
        self.stop_event.set()
        self.thread.join(timeout_s)
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def session(make_cfg):
    made = []

    def start(*overrides, mode="paper", **kw):
        s = Session(make_cfg(mode, *overrides), mode, **kw)
        made.append(s)
        return s
    yield start
    for s in made:
        s.stop_event.set()
        s.thread.join(60)
