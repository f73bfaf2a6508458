"""The local exchange server in-process on an ephemeral 127.0.0.1 port (real 2021 capture, 20x replay), with one
account per test, opened for it and closed after, so live tests never see each other's orders or holdings."""
import os
import time

import pytest

# Test accounts by name. The package's server starts with none of them: `account` (behind `keys`/`rest_for`)
# opens the test's own on first use and closes it after the test. A live session leaves coins on its account
# (positions open at the stop are not sold): position_concentration of the next session on that account would
# block every entry it waits for. And every account costs the server matching work on each replayed event
# (20 accounts slow its answers several-fold on a loaded machine): only the accounts in use are there.
ACCOUNTS = {name: (f"live-{name}-access", f"live-{name}-secret-0123456789abcdef0123")
            for name in ("live", "market", "lost-lose_response", "lost-hang", "lost-dropped", "sweep",
                         "watchdog", "reconcile", "cancel", "cli-refuse", "cli-run", "gates-none", "gates-weak",
                         "gates-ok", "gates-off", "gates-validate", "quote", "parity", "swap")}
START_KRW = 10_000_000


def open_account(server, access, secret, krw=START_KRW):
    """Add a key pair to the running server the way it builds its configured ones (its own SimExchange and
    fill model, KRW deposited), shown the latest book and trade of every market so it matches at once."""
    import registry
    from engine.server.accounts import Account
    st = server.state
    cfg = st.cfg

    def add():
        assert access not in st.accounts, f"account {access} is already open on this server"
        ex = registry.build("exchange", cfg.exchange, path="server.exchange")
        fm = registry.build("fill_model", cfg.fill_model, path="server.fill_model")
        ex.bind(fill_model=fm, balances={"KRW": krw}, seed=cfg.faults.seed + len(st.accounts))
        latest = [*st.market.books.values(), *(x.history[-1] for x in st.market.stats.values() if x.history)]
        for ev in sorted(latest, key=lambda e: e.ts_ms):
            ex.on_event(ev)
        acc = Account(access, ex)
        acc.poll(st.market.now_ms)            # its starting balances are no change for the private stream
        st.accounts[access] = acc
        st.secrets[access] = secret
    server.call(add)


def close_account(server, access):
    st = server.state

    def drop():
        st.accounts.pop(access, None)
        st.secrets.pop(access, None)
    server.call(drop)


@pytest.fixture
def account(server, request):
    """account(name) -> (access, secret): the test's own account on `server`, opened on first use, closed after
    the test. A second test asking for the same name fails, naming the first."""
    owners = server.__dict__.setdefault("account_owners", {})
    opened = []

    def use(name):
        owner = owners.setdefault(name, request.node.nodeid)
        assert owner == request.node.nodeid, \
            f"account {name!r} was already used by {owner}: give this test its own (ACCOUNTS in this conftest)"
        a, s = ACCOUNTS[name]
        if a not in opened:
            open_account(server, a, s)
            opened.append(a)
        return a, s
    yield use
    for a in opened:
        close_account(server, a)


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
    srv = capture_server(shared_capture(bundled_data), [])         # tests open their own accounts (`account`)
    yield srv
    srv.stop()


@pytest.fixture
def keys(monkeypatch, account):
    """keys("live") -> (access, secret) of the test's own account, exported as UPBIT_ACCESS_KEY /
    UPBIT_SECRET_KEY (env only)."""
    def use(name):
        a, s = account(name)
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
def rest_for(server, account):
    """rest_for(name, transport=None) -> an UpbitRest client on the server with the keys of the test's own
    account `name`."""
    from pydantic import SecretStr

    from components.exchange.upbit.rest import UpbitRest
    made = []

    def build(name, transport=None, timeout_ms=2000, retries=0):
        a, s = account(name)
        r = UpbitRest(UpbitRest.Params(base_url=server.base_url, timeout_ms=timeout_ms, retries=retries),
                      access_key=SecretStr(a), secret_key=SecretStr(s), transport=transport)
        made.append(r)
        return r
    return build


class _CallHook:
    """A session hook calling the test's functions (on the engine thread: keep them quick, never assert there —
    a hook's exception is only logged)."""

    def __init__(self, on_start, on_tick) -> None:
        self._start, self._tick = on_start, on_tick

    def on_start(self, ctx) -> None:
        if self._start is not None:
            self._start(ctx)

    def on_tick(self, ctx, now_s) -> None:
        if self._tick is not None:
            self._tick(ctx, now_s)


@pytest.fixture
def session_hook(monkeypatch):
    """session_hook(on_start=None, on_tick=None): every session this test runs calls them after its services.
    Tests act when the session has done something (started, decided), not after a fixed sleep that a loaded
    machine may not honour."""
    import sys
    import types

    from engine.live import hooks as H
    mod = types.ModuleType("_scalp_test_session_hook")
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setattr(H, "HOOK_FACTORIES", (*H.HOOK_FACTORIES, f"{mod.__name__}:build"))

    def add(on_start=None, on_tick=None):
        mod.build = lambda ctx: _CallHook(on_start, on_tick)
    add()
    return add


def session_on(srv, keys, monkeypatch, tmp_path, name, mode, extra, duration_s, settings):
    """(SessionResult, store) of a `mode` session on the local server `srv` with key pair `keys` exported
    (env only), BASE + `extra` overrides, its own store file `<name>.db`; asserts it ended cleanly."""
    import registry
    from engine.app import compose, job_config
    from engine.live.runner import run_session
    registry.load_all()
    a, s = keys
    monkeypatch.setenv("UPBIT_ACCESS_KEY", a)
    monkeypatch.setenv("UPBIT_SECRET_KEY", s)
    ov = [f"mode={mode}", "feed=upbit_ws", f"feed.url={srv.ws_url}", f"feed.rest_url={srv.base_url}",
          f"store.path={tmp_path / 'x.db'}", *BASE, "live.gates.enabled=false", *extra]
    if mode == "live":
        ov += ["exchange=upbit", f"exchange.base_url={srv.base_url}"]
    store = registry.build("store", {"component": "sqlite", "path": str(tmp_path / f"{name}.db")}, path="store")
    res = run_session(job_config(compose(ov)), mode, store=store, duration_s=duration_s, settings=settings)
    assert res.status == "done", res.error
    return res, store
