"""The local exchange server in-process on an ephemeral 127.0.0.1 port (real 2021 capture, 20x replay), with one
account per test so live tests never see each other's orders."""
import os
import time

import pytest

ACCOUNTS = {name: (f"live-{name}-access", f"live-{name}-secret-0123456789abcdef0123")
            for name in ("paper", "live", "market", "lost", "sweep", "watchdog", "cancel", "cli", "quote", "parity")}


def capture_path(bundled_data, shared_data_dir):
    for p in (bundled_data / "upbit/ws_captures/UPBIT-d78752.0.gz", shared_data_dir / "upbit/ws_captures/UPBIT-d78752.0"):
        if p.exists():
            return p
    pytest.skip("no Upbit capture to replay")


def capture_server(path, keys, **cfg):
    """A RunningServer replaying the capture at `path` at 20x for the key pairs `keys` (10 M KRW each), once
    its first book is in; `cfg` adds ServerConfig fields (faults, rate_limits, ...)."""
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    accounts = [{"access_key": a, "secret_key": s, "balances": {"KRW": 10_000_000}} for a, s in keys]
    srv = RunningServer(ServerConfig(port=0, accounts=accounts, source={"kind": "capture", "path": str(path),
                                                                        "speed": 20, "loop": True}, **cfg))
    deadline = time.monotonic() + 10
    while "KRW-DAWN" not in srv.state.market.books:
        assert time.monotonic() < deadline, "replay produced no data"
        time.sleep(0.05)
    return srv


def shared_capture(bundled_data):
    from pathlib import Path
    return capture_path(bundled_data, Path(os.environ.get("SCALP_SHARED_DATA", "/work/shared/data")))


@pytest.fixture(scope="package")
def server(bundled_data):
    srv = capture_server(shared_capture(bundled_data), ACCOUNTS.values())
    yield srv
    srv.stop()


@pytest.fixture
def keys(monkeypatch):
    """keys("live") -> (access, secret), exported as UPBIT_ACCESS_KEY / UPBIT_SECRET_KEY (env only)."""
    def use(name):
        a, s = ACCOUNTS[name]
        monkeypatch.setenv("UPBIT_ACCESS_KEY", a)
        monkeypatch.setenv("UPBIT_SECRET_KEY", s)
        return a, s
    return use


BASE = ["markets=[KRW-DAWN,KRW-STX,KRW-ADA]", "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]",
        "entry=prob_threshold",
        "towers.random_entry.entry_rate=0.5", "fill_model=queue_conservative", "ui.lang=en",
        "monitor.port=0"]   # a free port per session: tests never contend for the default 9108


def cfg_maker(server, tmp_path, base=None):
    """make(mode, *overrides) -> composed paper/live config pointed at `server`, store in tmp_path."""
    import registry
    from engine.app import compose, job_config

    def make(mode, *extra):
        registry.load_all()
        feed = [] if any(x.startswith("feed=") for x in extra) else \
            ["feed=upbit_ws", f"feed.url={server.ws_url}", f"feed.rest_url={server.base_url}"]
        ov = [f"mode={mode}", *feed, f"store.path={tmp_path / 'scalp.db'}", *(BASE if base is None else base)]
        if mode == "live":
            ov += ["exchange=upbit", f"exchange.base_url={server.base_url}"]
        return job_config(compose([*ov, *extra]))
    return make


@pytest.fixture
def make_cfg(server, tmp_path):
    """make_cfg("paper"|"live", *overrides) -> composed config pointed at the local server, store in tmp_path."""
    return cfg_maker(server, tmp_path)


@pytest.fixture
def orders_on(server):
    """orders_on(access_key) -> (open orders, closed orders) as the server's own SimExchange holds them."""
    def get(access):
        acc = server.state.accounts[access]
        return server.call(lambda: (list(acc.ex.open_orders()), list(acc.ex.closed_orders())))
    return get


@pytest.fixture
def rest_for(server):
    """rest_for(name, transport=None) -> an UpbitRest client on the server with that test account's keys."""
    from pydantic import SecretStr

    from components.exchange.upbit.rest import UpbitRest
    made = []

    def build(name, transport=None, timeout_ms=2000, retries=0):
        a, s = ACCOUNTS[name]
        r = UpbitRest(UpbitRest.Params(base_url=server.base_url, timeout_ms=timeout_ms, retries=retries),
                      access_key=SecretStr(a), secret_key=SecretStr(s), transport=transport)
        made.append(r)
        return r
    return build
