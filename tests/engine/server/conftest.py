"""The local exchange server in-process on an ephemeral 127.0.0.1 port, replaying a real 2021 capture."""
import pytest

ACCESS = "server-test-access"
SECRET = "server-test-secret-0123456789abcdef012345"
# one more key pair per client library test: coins one test buys must not make another's balance check pass
CLIENTS = {name: (f"server-{name}-access", f"server-{name}-secret-0123456789abcdef0123")
           for name in ("ccxt", "pyupbit")}


def start(shared_data, **overrides):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    base = dict(port=0, accounts=[{"access_key": a, "secret_key": s, "balances": {"KRW": 10_000_000}}
                                  for a, s in [(ACCESS, SECRET), *CLIENTS.values()]],
                source={"kind": "capture", "path": str(shared_data / "upbit/ws_captures/UPBIT-d78752.0"),
                        "speed": 20, "loop": True})
    base.update(overrides)
    return RunningServer(ServerConfig(**base))


def wait_for(srv, market="KRW-ADA"):
    import time
    deadline = time.monotonic() + 10
    while market not in srv.state.market.books or not srv.state.market.stats[market].last_ts:
        assert time.monotonic() < deadline, "replay produced no data"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(shared_data):
    srv = start(shared_data)
    wait_for(srv)
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server(shared_data, request):
    """A server with overrides from the test's `server_overrides` marker-free param (indirect)."""
    srv = start(shared_data, **getattr(request, "param", {}))
    wait_for(srv)
    yield srv
    srv.stop()
