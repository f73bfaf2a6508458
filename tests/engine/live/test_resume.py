"""Restart = resume, honest shutdown and `scalp reconcile`, against the local exchange server (own accounts)."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import registry
from engine.live.settings import LiveSettings

ROOT = Path(__file__).resolve().parents[3]
SCALP = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main())"]
FAST = LiveSettings(poll_interval_s=0.2, watchdog_interval_s=1.0, reconcile_interval_s=2.0, flush_interval_s=1.0,
                    shutdown_timeout_s=3.0)
ACCOUNTS = {name: (f"resume-{name}-access", f"resume-{name}-secret-0123456789abcdef012")
            for name in ("kill", "down", "unconfirmed", "mismatch")}
MARKETS = "markets=[KRW-DAWN,KRW-STX,KRW-ADA]"
HOLD = ["exits=[hard_stop]", "exits.hard_stop.loss_pct=50"]          # never exits by itself
STOP_AT_ONCE = ["exits=[hard_stop]", "exits.hard_stop.loss_pct=0.01", "towers.random_entry.entry_rate=0"]


@pytest.fixture(scope="module")
def rserver(bundled_data):
    from tests.engine.live.conftest import capture_server, shared_capture
    srv = capture_server(shared_capture(bundled_data), ACCOUNTS.values())
    yield srv
    srv.stop()


def overrides(srv, store_path, *extra, live=True):
    # gates off explicitly: `scalp live` here restarts a session; the go-live gates are tested in test_gates.py
    where = ["exchange=upbit", f"exchange.base_url={srv.base_url}", "mode=live", "live.gates.enabled=false"] \
        if live else ["mode=paper"]
    return ["ui.lang=en", "feed=upbit_ws", f"feed.url={srv.ws_url}", f"feed.rest_url={srv.base_url}", MARKETS,
            "features=[spread_pct,bid_ask_imbalance]", "towers=[random_entry]", "entry=prob_threshold",
            "towers.random_entry.entry_rate=0.5", "fill_model=queue_conservative", f"store.path={store_path}",
            *where, *extra]


def make_cfg(srv, store_path, *extra, live=True):
    from engine.app import compose, job_config
    registry.load_all()
    return job_config(compose(overrides(srv, store_path, *extra, live=live)))


@pytest.fixture
def use_keys(monkeypatch):
    def use(name):
        a, s = ACCOUNTS[name]
        monkeypatch.setenv("UPBIT_ACCESS_KEY", a)
        monkeypatch.setenv("UPBIT_SECRET_KEY", s)
        return a
    return use


def account(srv, access):
    """(open orders, holdings {currency: balance+locked}) as the server holds them."""
    acc = srv.state.accounts[access]
    return srv.call(lambda: (list(acc.ex.open_orders()),
                             {c: sum(acc.ex.balance(c)) for c in ("DAWN", "STX", "ADA")}))


def bid(srv, market):
    return srv.call(lambda: float(srv.state.market.books[market].bid_px[0]))


def rest_on(srv, name, transport=None):
    from pydantic import SecretStr

    from components.exchange.upbit.rest import UpbitRest
    a, s = ACCOUNTS[name]
    return UpbitRest(UpbitRest.Params(base_url=srv.base_url, timeout_ms=2000, retries=0),
                     access_key=SecretStr(a), secret_key=SecretStr(s), transport=transport)


def send(srv, name, **order):
    async def go():
        rest = rest_on(srv, name)
        try:
            return await rest.create_order(**order)
        finally:
            await rest.close()
    return asyncio.run(go())


def reconcile_cli(srv, store_path, capsys, *extra):
    from engine.commands import reconcile
    rc = reconcile.main([*overrides(srv, store_path, *extra)])
    return rc, capsys.readouterr()


def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_alive_tells_a_dead_process_from_a_live_one():
    from engine.live.history import alive, process_tag
    assert alive(process_tag()) is True
    assert alive({"pid": dead_pid(), "host": socket.gethostname()}) is False
    assert alive({**process_tag(), "start": "1"}) is False                      # the pid was reused since
    assert alive({"pid": 1, "host": "another-host"}) is None and alive(None) is None
    p = subprocess.Popen(["sleep", "30"])
    try:
        tag = {"pid": p.pid, "host": socket.gethostname()}
        assert alive(tag) is True
        p.send_signal(signal.SIGKILL)                                           # killed, not reaped yet (zombie)
        deadline = time.monotonic() + 5
        while alive(tag) is not False:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        p.kill()
        p.wait()


def test_fills_while_down_are_booked_and_the_position_managed(rserver, use_keys, tmp_path, capsys):
    """An order of an earlier (killed) run filled while nobody watched: the next start books its fill, manages the
    position (its stop fires), marks the dead run crashed, leaves a live process's run alone; reconcile matches."""
    from engine.live.runner import run_session
    from engine.live.history import PROCESS_KEY
    access = use_keys("down")
    db = tmp_path / "down.db"
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    dead = store.start_run("live", {PROCESS_KEY: {"pid": dead_pid(), "host": socket.gethostname()}}, mode="live")
    other = store.start_run("live", {PROCESS_KEY: {"pid": os.getpid(), "host": socket.gethostname()}}, mode="live")
    d = send(rserver, "down", market="KRW-STX", side="bid", ord_type="price", price="20000",
             identifier=f"scalp-{dead}-k0-0000001")
    held0 = account(rserver, access)[1]["STX"]
    assert held0 > 0
    res = run_session(make_cfg(rserver, db, *STOP_AT_ONCE), "live", store=store, duration_s=6, settings=FAST)
    assert res.status == "done", res.error
    r = res.resumed
    assert [f.order_uuid for f in r.fills] == [d["uuid"]] * len(r.fills) and r.fills
    assert sum(f.volume for f in r.fills) == pytest.approx(held0, abs=1e-8)
    assert [p["market"] for p in r.positions] == ["KRW-STX"]
    fills = store.records("fills", res.run_id)
    assert {f["order_uuid"] for f in fills if f["side"] == "bid"} == {d["uuid"]}           # stored with the new run
    exits = [o for o in store.records("orders", res.run_id) if o["side"] == "ask" and o["market"] == "KRW-STX"]
    assert exits and exits[0]["reason"] == "hard_stop"                                      # the stop fired
    assert account(rserver, access)[1]["STX"] == pytest.approx(0.0, abs=1e-8)
    rows = sorted((p for x in store.runs() for p in store.records("positions", x["id"]) if p["market"] == "KRW-STX"),
                  key=lambda p: (p["ts_ms"], p["id"]))
    assert rows[0]["extra"]["reason"] == "resumed" and rows[0]["ts_ms"] == max(f.ts_ms for f in r.fills)
    assert rows[-1]["extra"]["closed"] is True           # same time base: the latest row is the exit, not the resume
    status = {x["id"]: x["status"] for x in store.runs()}
    assert status[dead] == "crashed" and status[other] == "running"
    again = run_session(make_cfg(rserver, db, *STOP_AT_ONCE), "live", store=store, duration_s=1, settings=FAST)
    assert again.resumed.fills == [] and again.resumed.positions == []          # booked once, never twice
    store.close()
    rc, out = reconcile_cli(rserver, db, capsys)
    assert rc == 0, out.out + out.err
    assert "reconcile: match" in out.out


def test_paper_start_marks_a_killed_run_crashed(rserver, tmp_path):
    from engine.live.history import PROCESS_KEY
    from engine.live.runner import run_session
    db = tmp_path / "p.db"
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    dead = store.start_run("paper", {PROCESS_KEY: {"pid": dead_pid(), "host": socket.gethostname()}}, mode="paper")
    untagged = store.start_run("paper", {}, mode="paper")          # no process recorded: cannot know, left alone
    cfg = make_cfg(rserver, db, live=False)
    res = run_session(cfg, "paper", store=store, duration_s=1, settings=FAST)
    assert res.resumed.crashed == [dead]
    status = {r["id"]: r["status"] for r in store.runs()}
    assert status[dead] == "crashed" and status[untagged] == "running" and status[res.run_id] == "done"
    store.close()


def test_kill_9_with_a_position_and_a_resting_order_then_restart_resumes(rserver, use_keys, tmp_path, capsys):
    """The acceptance test: `scalp live` killed with -9 while holding a coin and with a limit order resting;
    the restart manages the position (its stop exit fires), resolves the order, and reconcile exits 0."""
    access = use_keys("kill")
    db = tmp_path / "kill.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [*SCALP, "live", *overrides(rserver, db, *HOLD, "orders.entry_type=limit", "orders.ttl_ms=600000",
                                       "live.flush_interval_s=1", f"hydra.run.dir={tmp_path / 'hydra'}"),
            "--duration-s", "120"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            opened, held = account(rserver, access)
            worth = {c: v * bid(rserver, f"KRW-{c}") for c, v in held.items()}
            if any(v >= 6_000 for v in worth.values()) and any(str(o.identifier).startswith("scalp-") for o in opened):
                break                        # a position worth selling (over the 5,000 KRW minimum) and a resting order
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "no position and resting order within 90 s"
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    opened, held = account(rserver, access)
    resting = {o.identifier for o in opened}
    assert resting                                       # still resting: nobody cancelled it
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    killed = [r for r in store.runs() if r["mode"] == "live"]
    assert [r["status"] for r in killed] == ["running"]  # what kill -9 leaves behind
    store.close()
    from engine.commands import live                     # the restart: the same command, stops tight now
    rc = live.main(overrides(rserver, db, *STOP_AT_ONCE, "live.poll_interval_s=0.2", "live.flush_interval_s=1",
                             f"hydra.run.dir={tmp_path / 'hydra'}", "--duration-s", "8"))
    printed = capsys.readouterr()
    assert rc == 0, printed.out + printed.err
    assert "resumed: " in printed.out and "1 crashed run(s) marked" in printed.out
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    runs = {r["id"]: r for r in store.runs()}
    assert runs[killed[0]["id"]]["status"] == "crashed"
    new_id = max(runs)
    assert runs[new_id]["status"] == "done"
    orders = store.records("orders", new_id)
    resolved = {o["identifier"] for o in orders if o["reason"].startswith("resumed:")}
    assert resting <= resolved                                                 # the resting order was resolved
    assert account(rserver, access)[0] == []                                   # nothing of ours rests now
    managed = {p["market"] for p in store.records("positions", new_id)
               if p["extra"].get("reason") == "resumed" and p["extra"].get("managed")}
    assert managed
    exits = [o for o in orders if o["side"] == "ask" and o["market"] in managed]
    assert {o["market"] for o in exits} == managed and all(o["reason"] == "hard_stop" for o in exits)
    held_after = account(rserver, access)[1]
    assert all(held_after[m.split("-")[1]] == pytest.approx(0.0, abs=1e-8) for m in managed)
    store.close()
    rc, out = reconcile_cli(rserver, db, capsys)
    assert rc == 0, out.out + out.err


class Switch:
    """An httpx transport to the server that can be unplugged (connection refused on every request)."""

    def __init__(self) -> None:
        import httpx
        self.inner = httpx.AsyncHTTPTransport()
        self.down = False

    async def handle_async_request(self, request):
        import httpx
        if self.down:
            raise httpx.ConnectError("unreachable (test)", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_shutdown_with_the_exchange_unreachable_is_unconfirmed_and_the_next_start_resolves(
        rserver, use_keys, tmp_path, capsys):
    import httpx

    from engine import exit_codes
    from engine.live.command import failed_exit_code, print_result
    from engine.live.runner import run_session
    access = use_keys("unconfirmed")
    db = tmp_path / "u.db"
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    switch = Switch()
    transport = type("T", (httpx.AsyncBaseTransport,), {"handle_async_request": lambda s, r: switch.handle_async_request(r),
                                                         "aclose": lambda s: switch.aclose()})()
    stop = threading.Event()
    out = {}
    cfg = make_cfg(rserver, db, *HOLD, "orders.entry_type=limit", "orders.ttl_ms=600000")
    # The outage is cut into the REST transport only; the private myOrder stream would still confirm an order
    # that fills meanwhile, so it is off here: the whole exchange is unreachable.
    no_stream = FAST.model_copy(update={"private_stream": False})
    th = threading.Thread(target=lambda: out.update(res=run_session(cfg, "live", store=store, stop=stop,
                                                                    settings=no_stream,
                                                                    rest=rest_on(rserver, "unconfirmed", transport))))
    th.start()
    deadline = time.monotonic() + 60
    while not account(rserver, access)[0]:
        assert th.is_alive() and time.monotonic() < deadline, "no resting order within 60 s"
        time.sleep(0.1)
    switch.down = True
    resting = {o.identifier for o in account(rserver, access)[0]}
    stop.set()
    th.join(60)
    res = out["res"]
    assert res.status == "stopped_unconfirmed"
    assert resting <= set(res.unknown_at_stop)
    assert failed_exit_code(res) == exit_codes.EXCHANGE
    print_result(res)
    err = capsys.readouterr().err
    assert all(f"unknown: {i}" in err for i in resting)
    assert {r["id"]: r["status"] for r in store.runs()}[res.run_id] == "stopped_unconfirmed"
    acc = rserver.state.accounts[access]
    states = rserver.call(lambda: {o.identifier: o.state for o in [*acc.ex.open_orders(), *acc.ex.closed_orders()]})
    assert all(states[i] in ("wait", "done") for i in resting)     # never cancelled: resting, or filled since
    # The exchange answers again: the next start looks them up by identifier and resolves every one.
    res2 = run_session(make_cfg(rserver, db, *STOP_AT_ONCE), "live", store=store, duration_s=3, settings=FAST)
    assert res2.status == "done", res2.error
    assert resting <= {o["identifier"] for o in res2.resumed.orders}
    assert account(rserver, access)[0] == []
    store.close()
    rc, cap = reconcile_cli(rserver, db, capsys)
    assert rc == 0, cap.out + cap.err


def test_reconcile_reports_an_order_the_store_does_not_know(rserver, use_keys, tmp_path, capsys):
    from engine.live.runner import run_session
    use_keys("mismatch")
    db = tmp_path / "m.db"
    store = registry.build("store", {"component": "sqlite", "path": str(db)}, path="store")
    res = run_session(make_cfg(rserver, db, *STOP_AT_ONCE), "live", store=store, duration_s=2, settings=FAST)
    store.close()
    assert res.status == "done", res.error
    rc, cap = reconcile_cli(rserver, db, capsys)
    assert rc == 0, cap.out
    px = int(bid(rserver, "KRW-ADA") * 0.7) // 10 * 10                             # far below the touch: it rests
    price, volume = str(px), str(int(10_000 / px) + 1)
    d = send(rserver, "mismatch", market="KRW-ADA", side="bid", ord_type="limit", price=price, volume=volume,
             identifier="scalp-999-zz-0000001")
    send(rserver, "mismatch", market="KRW-ADA", side="bid", ord_type="limit", price=price, volume=volume,
         identifier="by-hand-1")                                   # not ours: never a difference
    rc, cap = reconcile_cli(rserver, db, capsys)
    assert rc == 1 and "scalp-999-zz-0000001" in cap.out and "by-hand-1" not in cap.out
    rc, cap = reconcile_cli(rserver, db, capsys, "--json")
    doc = json.loads(cap.out)
    assert rc == 1 and doc["match"] is False
    assert [o["identifier"] for o in doc["orders"]["exchange_only"]] == ["scalp-999-zz-0000001"]
    assert d["uuid"] == doc["orders"]["exchange_only"][0]["uuid"]
