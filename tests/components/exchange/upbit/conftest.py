"""A local exchange server on an ephemeral 127.0.0.1 port, replaying a real 2021 capture."""
import pytest

ACCESS = "client-test-access"
SECRET = "client-test-secret-0123456789abcdef0123"


@pytest.fixture(scope="module")
def server(shared_data):
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    cfg = ServerConfig(port=0, accounts=[{"access_key": ACCESS, "secret_key": SECRET, "balances": {"KRW": 10_000_000}}],
                       source={"kind": "capture", "path": str(shared_data / "upbit/ws_captures/UPBIT-d78752.0"),
                               "speed": 20, "loop": True})
    srv = RunningServer(cfg)
    yield srv
    srv.stop()
